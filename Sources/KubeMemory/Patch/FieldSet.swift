import JSONValue

/// A set of field paths of one object, the unit of server-side apply ownership, in the
/// shape of a managedFields entry's `fieldsV1`.
///
/// A child is named by a `fieldsV1` token: `f:<field>` for an object member,
/// `k:<json object>` for an item of an associative list by its key fields, `v:<json>` for
/// an item of a set, `i:<index>` for a list position. `isMember` says the node's own path
/// is in the set (written `".": {}` when the node also has children, `{}` when it has none).
struct FieldSet: Equatable, Sendable {
    var isMember = false
    var children: [String: FieldSet] = [:]

    init(isMember: Bool = false, children: [String: FieldSet] = [:]) {
        self.isMember = isMember
        self.children = children
    }

    static let leaf = FieldSet(isMember: true)

    var isEmpty: Bool { !isMember && children.isEmpty }

    // MARK: fieldsV1

    /// Reads a `fieldsV1` object; anything that is not an object is an empty set.
    init(fieldsV1: JSON) {
        guard case .object(let members) = fieldsV1 else { return }
        for (token, child) in members {
            if token == "." {
                isMember = true
            } else {
                children[token] = FieldSet(fieldsV1: child).asMemberIfEmpty()
            }
        }
    }

    /// `{}` in `fieldsV1` means the child path itself.
    private func asMemberIfEmpty() -> FieldSet { isEmpty ? .leaf : self }

    /// The `fieldsV1` object, children in sorted token order as kube-apiserver writes them.
    var fieldsV1: JSON {
        var object = JSONObject()
        if isMember, !children.isEmpty { object["."] = .emptyObject }
        for token in children.keys.sorted() {
            guard let child = children[token] else { continue }
            object[token] = child.fieldsV1
        }
        return .object(object)
    }

    // MARK: Set algebra

    func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.isMember = isMember || other.isMember
        for (token, child) in other.children {
            result.children[token] = result.children[token].map { $0.union(child) } ?? child
        }
        return result
    }

    /// The paths of `self` that are not paths of `other`.
    func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(isMember: isMember && !other.isMember)
        for (token, child) in children {
            let remaining = other.children[token].map { child.subtracting($0) } ?? child
            if !remaining.isEmpty { result.children[token] = remaining }
        }
        return result
    }

    func contains(_ path: [String]) -> Bool {
        guard let first = path.first else { return isMember }
        return children[first]?.contains(Array(path.dropFirst())) ?? false
    }

    /// Whether the set holds the path or any path below it.
    func containsAnything(under path: [String]) -> Bool {
        guard let first = path.first else { return !isEmpty }
        return children[first]?.containsAnything(under: Array(path.dropFirst())) ?? false
    }

    /// Every path in the set, parents before children.
    var paths: [[String]] {
        var result: [[String]] = []
        collect(prefix: [], into: &result)
        return result
    }

    private func collect(prefix: [String], into result: inout [[String]]) {
        if isMember { result.append(prefix) }
        for token in children.keys.sorted() {
            children[token]?.collect(prefix: prefix + [token], into: &result)
        }
    }

    mutating func insert(_ path: [String]) {
        guard let first = path.first else {
            isMember = true
            return
        }
        var child = children[first] ?? FieldSet()
        child.insert(Array(path.dropFirst()))
        children[first] = child
    }

    mutating func remove(_ path: [String]) {
        guard let first = path.first else {
            isMember = false
            return
        }
        guard var child = children[first] else { return }
        child.remove(Array(path.dropFirst()))
        children[first] = child.isEmpty ? nil : child
    }

    /// The set without the paths that lead nowhere in `object`: fields since removed,
    /// items since deleted. Ownership of what no longer exists is dropped.
    func retainingExisting(in object: JSON) -> FieldSet {
        var result = FieldSet(isMember: isMember)
        for (token, child) in children {
            guard let value = FieldPath.child(token, of: object) else { continue }
            let kept = child.retainingExisting(in: value)
            if !kept.isEmpty { result.children[token] = kept }
        }
        return result
    }
}
