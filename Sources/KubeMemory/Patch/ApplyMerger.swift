import JSONValue

/// Merges an applied configuration into the live object: maps member by member,
/// associative lists item by item (new items after the existing ones), sets value by
/// value, and atomic lists and scalars replaced whole.
struct ApplyMerger {
    let lists: ListSemantics

    func merge(_ config: JSON, into live: JSON?, path: [String]) -> JSON {
        switch config {
        case .object(let members):
            guard case .object(var result)? = live, !lists.isAtomicMap(at: path) else { return config }
            for (key, value) in members {
                result[key] = merge(value, into: result[key], path: path + [key])
            }
            return .object(result)
        case .array(let items):
            guard case .array(var result)? = live else { return config }
            switch lists.listType(at: path) {
            case .atomic:
                return config
            case .set:
                for item in items where !result.contains(item) { result.append(item) }
                return .array(result)
            case .map(let keys):
                for item in items {
                    guard case .object(let fields) = item, let token = FieldPath.key(fields, keys: keys) else { return config }
                    let existing = FieldPath.child(token, of: .array(result))
                    if let existing, let index = result.firstIndex(of: existing) {
                        result[index] = merge(item, into: existing, path: path)
                    } else {
                        result.append(item)
                    }
                }
                return .array(result)
            }
        default:
            return config
        }
    }
}
