import JSONValue

extension StructuralSchema {
    /// The object without the fields its schema does not declare, as kube-apiserver stores
    /// custom resources. Kept: members under `x-kubernetes-preserve-unknown-fields`, members
    /// allowed by `additionalProperties`, and `apiVersion`, `kind` and `metadata` of the root
    /// and of embedded resources. `null` in a field that is not `nullable` is dropped too, so
    /// that defaulting can fill it.
    func prune(_ object: JSON) -> JSON {
        pruned(object, isResource: true)
    }

    private func pruned(_ value: JSON, isResource: Bool) -> JSON {
        guard case .object = node else { return value }
        switch value {
        case .object(let fields):
            var result = JSONObject()
            for (key, child) in fields {
                if isResource, Self.resourceFields.contains(key) {
                    result[key] = child
                    continue
                }
                if let schema = member(key) {
                    if case .null = child, !schema.nullable { continue }
                    result[key] = schema.pruned(child, isResource: schema.isEmbeddedResource)
                } else if preservesUnknownFields {
                    result[key] = child
                }
            }
            return .object(result)
        case .array(let elements):
            guard let items else { return value }
            return .array(elements.map { items.pruned($0, isResource: items.isEmbeddedResource) })
        default:
            return value
        }
    }

    static let resourceFields: Set<String> = ["apiVersion", "kind", "metadata"]

    /// The paths of the fields `prune` would drop, as kube's strict decoding names them:
    /// `spec.size`, `spec.items[0].name`, in document order.
    func unknownFields(_ object: JSON) -> [String] {
        var found: [String] = []
        collectUnknown(object, isResource: true, path: "", into: &found)
        return found
    }

    private func collectUnknown(_ value: JSON, isResource: Bool, path: String, into found: inout [String]) {
        guard case .object = node else { return }
        switch value {
        case .object(let fields):
            for (key, child) in fields {
                let childPath = path.isEmpty ? key : path + "." + key
                if isResource, Self.resourceFields.contains(key) { continue }
                if let schema = member(key) {
                    schema.collectUnknown(child, isResource: schema.isEmbeddedResource, path: childPath, into: &found)
                } else if !preservesUnknownFields {
                    found.append(childPath)
                }
            }
        case .array(let elements):
            guard let items else { return }
            for (index, element) in elements.enumerated() {
                items.collectUnknown(element, isResource: items.isEmbeddedResource, path: "\(path)[\(index)]", into: &found)
            }
        default:
            return
        }
    }
}
