import JSONValue

/// One document of a YAML stream, as JSON, with the source position of every node.
public struct YAMLDocument: Sendable {
    /// The file name given to the loader, used in error messages.
    public var file: String
    public var value: JSON
    /// Start of the document (its `---`, or its first node when the marker is omitted).
    public var position: SourcePosition
    let tree: NodeTree

    init(file: String, value: JSON, position: SourcePosition, tree: NodeTree) {
        self.file = file
        self.value = value
        self.position = position
        self.tree = tree
    }

    /// Where the node at `path` was written; nil when `value` has no node there.
    /// The empty path is the root node.
    public func node(at path: [PathComponent]) -> NodeInfo? {
        tree.info(at: path)
    }

    /// An error located at the node at `path` (at its key for mapping members when
    /// `atKey`), or at the document start when the path has no node.
    public func error(_ message: String, at path: [PathComponent], atKey: Bool = false) -> YAMLError {
        let info = node(at: path)
        let position = (atKey ? info?.keyPosition : nil) ?? info?.position ?? self.position
        return YAMLError(file: file, position: position, message: message)
    }
}
