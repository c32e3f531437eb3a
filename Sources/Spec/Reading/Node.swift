import JSONValue
import YAMLLoader

/// A value of a loaded document together with its path, so that whatever is wrong with
/// it can be reported where it was written.
struct Node {
    var value: JSON
    var path: [PathComponent]
    /// Keys of `value` that the document spells differently (see `SpecReader.restoringOnKey`):
    /// key in `value` → key in the document, for paths that find the source position.
    var aliases: [String: String] = [:]
    /// The key messages call this node by, when the document's key differs (an alias).
    var labelKey: String?

    /// The member `key` of this object node, nil when absent (or not an object).
    subscript(key: String) -> Node? {
        guard let member = value[key] else { return nil }
        guard let alias = aliases[key] else { return Node(value: member, path: path + [.key(key)]) }
        return Node(value: member, path: path + [.key(alias)], labelKey: key)
    }

    /// The items of this array node (empty when not an array).
    var items: [Node] {
        guard case .array(let items) = value else { return [] }
        return items.enumerated().map { Node(value: $1, path: path + [.index($0)]) }
    }

    /// The members of this object node in file order (empty when not an object).
    var members: [(key: String, node: Node)] {
        guard case .object(let object) = value else { return [] }
        return object.compactMap { member in self[member.key].map { (member.key, $0) } }
    }

    /// How messages name this node: its key with the indexes after it, e.g. `command[1]`,
    /// `steps[2]`.
    var label: String {
        if let labelKey { return labelKey }
        var suffix = ""
        for component in path.reversed() {
            switch component {
            case .index(let i): suffix = "[\(i)]" + suffix
            case .key(let k): return k + suffix
            }
        }
        return suffix.isEmpty ? "document" : "item" + suffix
    }

    /// The key this node is under, if it is a mapping member.
    var key: String? {
        if case .key(let k)? = path.last { return k }
        return nil
    }
}
