import JSONValue

/// The tokens of a field path (`f:spec`, `k:{"name":"c"}`, `v:"x"`, `i:0`): how they are
/// made from an object, how they lead into one, and how conflicts print them.
enum FieldPath {
    static func field(_ name: String) -> String { "f:" + name }

    /// The token of an associative-list item: its key fields as a JSON object, keys sorted.
    static func key(_ item: JSONObject, keys: [String]) -> String? {
        var key = JSONObject()
        for name in keys.sorted() {
            guard let value = item[name], !value.isNull else { return nil }
            key[name] = value
        }
        return "k:" + JSON.object(key).serialized(sortedKeys: true)
    }

    static func value(_ item: JSON) -> String { "v:" + item.serialized(sortedKeys: true) }

    /// The value a token leads to inside `object`, nil when there is none.
    static func child(_ token: String, of object: JSON) -> JSON? {
        let body = String(token.dropFirst(2))
        switch token.prefix(2) {
        case "f:":
            return object.object?[body]
        case "k:":
            guard let items = object.array, case .object(let key)? = try? JSON.parse(body) else { return nil }
            return items.first { item in key.allSatisfy { item.object?[$0.key] == $0.value } }
        case "v:":
            guard let items = object.array, let wanted = try? JSON.parse(body) else { return nil }
            return items.first { $0 == wanted }
        case "i:":
            guard let index = Int(body) else { return nil }
            return object[index]
        default:
            return nil
        }
    }

    /// The value at a path of tokens.
    static func value(at path: [String], in object: JSON) -> JSON? {
        var current = object
        for token in path {
            guard let next = child(token, of: current) else { return nil }
            current = next
        }
        return current
    }

    /// `object` without what `path` leads to (an object member, a list item); unchanged
    /// when the path leads nowhere.
    static func removing(_ path: [String], from object: JSON) -> JSON {
        guard let token = path.first else { return object }
        let rest = Array(path.dropFirst())
        let body = String(token.dropFirst(2))
        switch (token.prefix(2), object) {
        case ("f:", .object(var members)):
            guard let child = members[body] else { return object }
            if rest.isEmpty { members.removeValue(forKey: body) } else { members[body] = removing(rest, from: child) }
            return .object(members)
        case ("k:", .array(var items)), ("v:", .array(var items)), ("i:", .array(var items)):
            guard let found = child(token, of: object), let index = indexOf(token, found, in: items) else { return object }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = removing(rest, from: items[index]) }
            return .array(items)
        default:
            return object
        }
    }

    private static func indexOf(_ token: String, _ found: JSON, in items: [JSON]) -> Int? {
        if token.hasPrefix("i:") { return Int(token.dropFirst(2)) }
        return items.firstIndex(of: found)
    }

    /// A path as kube-apiserver prints it in conflicts: `.spec.containers[name="c"].image`,
    /// `.metadata.finalizers[="x"]`, `.spec.args[0]`.
    static func describe(_ path: [String]) -> String {
        var text = ""
        for token in path {
            let body = String(token.dropFirst(2))
            switch token.prefix(2) {
            case "f:":
                text += "." + body
            case "k:":
                if case .object(let key)? = try? JSON.parse(body) {
                    text += "[" + key.map { "\($0.key)=\($0.value.serialized())" }.joined(separator: ",") + "]"
                } else {
                    text += "[" + body + "]"
                }
            case "v:":
                text += "[=" + body + "]"
            case "i:":
                text += "[" + body + "]"
            default:
                text += token
            }
        }
        return text
    }
}
