/// A patch that cannot be applied: malformed, pointing at nothing, or failing a `test`.
///
/// `message` is worded as kube-apiserver words the same failure, so the API layer can put
/// it into a `Status` unchanged. `code` is the HTTP status the API layer should answer
/// with: 400 for a patch that cannot be decoded, 422 for one that does not apply.
struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    var code: Int = 422

    init(message: String, code: Int = 422) {
        self.message = message
        self.code = code
    }

    static func badRequest(_ message: String) -> PatchError { PatchError(message: message, code: 400) }

    var description: String { message }
}
