/// Source positions of a loaded document, as a tree parallel to its JSON value.
///
/// Immutable and shared: an alias or a merge key reuses the anchored node's subtree instead
/// of copying it, so positions cost memory proportional to the source, not to the expanded
/// document (which alias chains can make a thousand times larger).
final class NodeTree: Sendable {
    struct Member: Sendable {
        let keyPosition: SourcePosition
        let node: NodeTree
    }

    enum Children: Sendable {
        case none
        case sequence([NodeTree])
        case mapping([String: Member])
    }

    let position: SourcePosition
    let style: ScalarStyle?
    let children: Children

    init(position: SourcePosition, style: ScalarStyle?, children: Children) {
        self.position = position
        self.style = style
        self.children = children
    }

    func info(at path: [PathComponent]) -> NodeInfo? {
        var node = self
        var keyPosition: SourcePosition?
        for component in path {
            switch (component, node.children) {
            case let (.index(i), .sequence(items)):
                guard items.indices.contains(i) else { return nil }
                node = items[i]
                keyPosition = nil
            case let (.key(k), .mapping(members)):
                guard let member = members[k] else { return nil }
                node = member.node
                keyPosition = member.keyPosition
            default:
                return nil
            }
        }
        return NodeInfo(position: node.position, keyPosition: keyPosition, style: node.style)
    }
}
