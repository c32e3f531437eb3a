import JSONValue
import Kube

extension ClusterState {
    /// GET of an object, its status (the whole object, as kube answers) or its scale.
    func get(_ type: ResourceType, _ ref: ObjectRef, subresource: String?) throws -> JSON {
        if subresource == "scale" { return try getScale(type, ref) }
        try checkSubresource(type, subresource)
        return shown(try existing(type, ref).1, type)
    }

    /// A `<Kind>List` sorted by namespace and name, filtered by selectors, paged by limit/continue.
    func list(_ type: ResourceType, namespace: String?, options: ListOptions) throws -> JSON {
        let labels = try LabelSelector(parsing: options.labelSelector)
        let fields = try FieldSelector(parsing: options.fieldSelector, for: type)
        var listRV = resourceVersion
        var after: StoreKey?
        if let token = options.continueToken, !token.isEmpty {
            let t = try ContinueToken(decoding: token)
            listRV = t.resourceVersion
            after = t.after
        }
        let namespace = type.info.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        let keys = (objects[type.groupResource] ?? [:]).keys.filter { key in
            if let namespace, key.namespace != namespace { return false }
            if let after, !(after < key) { return false }
            return true
        }.sorted()
        let store = objects[type.groupResource] ?? [:]
        var items: [JSON] = []
        var remaining = 0
        var last: StoreKey?
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        for key in keys {
            guard let o = store[key], labels.matches(object: o), fields.matches(o) else { continue }
            if let limit, items.count >= limit {
                remaining += 1
                continue
            }
            items.append(shown(o, type))
            last = key
        }
        var metadata: JSON = ["resourceVersion": .string(String(listRV))]
        if remaining > 0, let last {
            metadata["continue"] = .string(ContinueToken(resourceVersion: listRV, after: last).encoded)
            if labels.requirements.isEmpty && fields.requirements.isEmpty {
                metadata["remainingItemCount"] = .int(remaining)
            }
        }
        return ["apiVersion": .string(type.apiVersion), "kind": .string(type.listKind), "metadata": metadata, "items": .array(items)]
    }
}
