/// One way an object breaks its custom resource schema, worded as kube-apiserver words it
/// in the causes of a 422 `Invalid` answer.
///
/// `field` is the path (`spec.replicas`, `spec.items[0].name`, `spec.labels[app]`),
/// `message` the error body (`Required value`, `Invalid value: "string": spec.replicas in
/// body must be of type integer: "string"`), `type` the cause reason
/// (`FieldValueRequired`, `FieldValueInvalid`, `FieldValueTypeInvalid`,
/// `FieldValueNotSupported`, `FieldValueTooLong`, `FieldValueTooMany`, `FieldValueDuplicate`).
struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    var field: String
    var message: String
    var type: String

    var description: String { "\(field): \(message)" }
}
