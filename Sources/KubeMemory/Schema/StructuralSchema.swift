import JSONValue

/// A custom resource's `openAPIV3Schema` (the structural subset kube-apiserver accepts):
/// what pruning, defaulting, validation and server-side apply need to know about it.
///
/// The schema is kept as the JSON it was declared in and read as needed; each node of it
/// is again a `StructuralSchema`. An unusable schema (not an object) accepts anything and
/// prunes nothing, so bad CRDs degrade instead of crashing the server.
struct StructuralSchema: Sendable {
    let node: JSON

    init(_ openAPIV3Schema: JSON) { node = openAPIV3Schema }

    var type: String? { node["type"]?.string }
    var properties: JSONObject? { node["properties"]?.object }
    var items: StructuralSchema? { node["items"].map(StructuralSchema.init) }
    var nullable: Bool { node["nullable"]?.bool ?? false }
    var defaultValue: JSON? { node["default"] }
    var preservesUnknownFields: Bool { node["x-kubernetes-preserve-unknown-fields"]?.bool ?? false }
    var isIntOrString: Bool { node["x-kubernetes-int-or-string"]?.bool ?? false }
    var isEmbeddedResource: Bool { node["x-kubernetes-embedded-resource"]?.bool ?? false }

    func property(_ name: String) -> StructuralSchema? { properties?[name].map(StructuralSchema.init) }

    /// The schema of a member that `properties` does not name: from `additionalProperties`
    /// when it is a schema; `true` allows any value, which is an empty schema.
    var additionalProperties: StructuralSchema? {
        switch node["additionalProperties"] {
        case .object?: return node["additionalProperties"].map(StructuralSchema.init)
        case .bool(true)?: return StructuralSchema(.object([:]))
        default: return nil
        }
    }

    /// The schema of member `name` of an object: named property, else additionalProperties.
    func member(_ name: String) -> StructuralSchema? { property(name) ?? additionalProperties }

    /// The schema at a path of field names (list items left out, as `ListSemantics` has them).
    func schema(at path: [String]) -> StructuralSchema? {
        var current = self
        for name in path {
            if current.type == "array", let items = current.items { current = items }
            guard let next = current.member(name) else { return nil }
            current = next
        }
        return current
    }

    /// The list type the schema declares at a path (`x-kubernetes-list-type`), nil when it
    /// declares none (then the list is atomic) or there is no list there.
    func listType(at path: [String]) -> ListType? {
        guard let list = schema(at: path) else { return nil }
        switch list.node["x-kubernetes-list-type"]?.string {
        case "map"?: return .map(keys: list.listMapKeys ?? [])
        case "set"?: return .set
        case "atomic"?: return .atomic
        default: return nil
        }
    }

    /// `x-kubernetes-list-map-keys` of the list at a path.
    func listMapKeys(at path: [String]) -> [String]? { schema(at: path)?.listMapKeys }

    var listMapKeys: [String]? { node["x-kubernetes-list-map-keys"]?.array?.compactMap(\.string) }
}
