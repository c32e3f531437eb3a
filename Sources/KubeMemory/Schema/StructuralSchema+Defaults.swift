import JSONValue

extension StructuralSchema {
    /// The object with `default`s filled in for missing fields (and for `null` in fields that
    /// are not `nullable`), recursively: inside objects, map values and list items, and
    /// inside the defaults themselves. `metadata` of the root is left alone.
    func applyDefaults(_ object: JSON) -> JSON {
        defaulted(object, isResource: true)
    }

    private func defaulted(_ value: JSON, isResource: Bool) -> JSON {
        switch value {
        case .object(var fields):
            if let properties {
                for (name, propertyNode) in properties {
                    let schema = StructuralSchema(propertyNode)
                    guard let defaultValue = schema.defaultValue else { continue }
                    if isResource, name == "metadata" { continue }
                    switch fields[name] {
                    case nil: fields[name] = defaultValue
                    case .null? where !schema.nullable: fields[name] = defaultValue
                    default: break
                    }
                }
            }
            for (key, child) in fields {
                if isResource, key == "metadata" { continue }
                guard let schema = member(key) else { continue }
                fields[key] = schema.defaulted(child, isResource: schema.isEmbeddedResource)
            }
            return .object(fields)
        case .array(let elements):
            guard let items else { return value }
            return .array(elements.map { items.defaulted($0, isResource: items.isEmbeddedResource) })
        default:
            return value
        }
    }
}
