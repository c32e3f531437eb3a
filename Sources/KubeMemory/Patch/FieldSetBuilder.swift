import JSONValue

/// Makes field sets from objects: all the fields of an applied configuration, or the
/// fields an update added or changed.
///
/// Lists follow `ListSemantics`: an atomic list is one field, a set owns each value
/// (`v:`), an associative list owns each item (`k:`) and the fields inside it.
struct FieldSetBuilder {
    let lists: ListSemantics

    /// Object members of built-in kinds that Go declares as plain (non-pointer) structs.
    /// kube-apiserver diffs an update against typed objects in which these always exist
    /// (empty), so an update never "adds" them and never owns their own path; members that
    /// are maps or pointers do get added, and their path is owned too (`".": {}` under
    /// `f:labels`). Custom resources are untyped: every added object member is owned.
    static let builtInValueStructs: Set<String> = [
        "metadata", "spec", "status", "template", "strategy", "updateStrategy", "jobTemplate", "resources", "loadBalancer",
    ]

    /// Every field of `value`: the field set a server-side apply configuration owns.
    func fields(of value: JSON) -> FieldSet {
        changes(from: nil, to: value, path: [], markNewMaps: false) ?? FieldSet()
    }

    /// The fields `new` added or changed relative to `old` (what an update takes ownership
    /// of), or nil when nothing was added or changed.
    func changes(from old: JSON?, to new: JSON) -> FieldSet? {
        changes(from: old, to: new, path: [], markNewMaps: true)
    }

    private func changes(from old: JSON?, to new: JSON, path: [String], markNewMaps: Bool) -> FieldSet? {
        if let old, old == new { return nil }
        switch new {
        case .object(let members) where !members.isEmpty:
            if lists.isAtomicMap(at: path) { return .leaf }
            let oldMembers = old?.object
            var node = FieldSet()
            for (name, value) in members {
                if let child = changes(from: oldMembers?[name], to: value, path: path + [name], markNewMaps: markNewMaps) {
                    node.children[FieldPath.field(name)] = child
                }
            }
            if markNewMaps, oldMembers == nil, let name = path.last,
               !(lists.isBuiltIn && Self.builtInValueStructs.contains(name)) {
                node.isMember = true
            }
            return node.isEmpty ? nil : node
        case .array(let items) where !items.isEmpty:
            let oldItems = old?.array
            switch lists.listType(at: path) {
            case .atomic:
                return .leaf
            case .set:
                var node = FieldSet()
                for item in items where !(oldItems?.contains(item) ?? false) {
                    node.children[FieldPath.value(item)] = .leaf
                }
                return node.isEmpty ? nil : node
            case .map(let keys):
                var node = FieldSet()
                for item in items {
                    guard case .object(let fields) = item, let token = FieldPath.key(fields, keys: keys) else {
                        // Items without their keys cannot be told apart: own the list whole.
                        return .leaf
                    }
                    let oldItem = oldItems.flatMap { FieldPath.child(token, of: .array($0)) }
                    if oldItem == nil {
                        var added = changes(from: nil, to: item, path: path, markNewMaps: markNewMaps) ?? FieldSet()
                        added.isMember = true
                        node.children[token] = added
                    } else if let changed = changes(from: oldItem, to: item, path: path, markNewMaps: markNewMaps) {
                        node.children[token] = changed
                    }
                }
                return node.isEmpty ? nil : node
            }
        default:
            return .leaf
        }
    }

    /// The metadata fields kube-apiserver manages itself and never attributes to a manager.
    static let systemMetadata = [
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion",
    ]

    /// `set` without the system fields (those and `apiVersion`, `kind`); a `metadata` left with nothing below it goes too.
    static func withoutSystemFields(_ set: FieldSet) -> FieldSet {
        var result = set
        result.isMember = false
        result.children["f:apiVersion"] = nil
        result.children["f:kind"] = nil
        if var metadata = result.children["f:metadata"] {
            metadata.isMember = false
            for name in Self.systemMetadata {
                metadata.children["f:" + name] = nil
            }
            result.children["f:metadata"] = metadata.isEmpty ? nil : metadata
        }
        return result
    }
}
