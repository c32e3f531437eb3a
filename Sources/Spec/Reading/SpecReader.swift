import JSONValue
import YAMLLoader

/// Reads one YAML document (the operator file or a template file) into the typed model,
/// reporting every problem at the place it was written and going on, so that one pass
/// finds them all. The `SpecReader+*.swift` extensions read the parts of the format.
final class SpecReader {
    let document: YAMLDocument
    let text: SourceText
    let context: LoadContext

    init(document: YAMLDocument, text: SourceText, context: LoadContext) {
        self.document = document
        self.text = text
        self.context = context
    }

    var file: String { document.file }
    var root: Node { Node(value: document.value, path: []) }

    // MARK: - Positions

    /// Where the node at `path` was written; for a path with no node (a missing field),
    /// the closest ancestor that has one.
    func position(of path: [PathComponent]) -> SourcePosition {
        var path = path
        while true {
            if let info = document.node(at: path) { return info.position }
            if path.isEmpty { return document.position }
            path.removeLast()
        }
    }

    /// Where the key of the member at `path` was written (the value's position otherwise).
    func keyPosition(of path: [PathComponent]) -> SourcePosition {
        document.node(at: path)?.keyPosition ?? position(of: path)
    }

    /// Where the `offset`-th character (Unicode scalar) of the string at `path` was written.
    func position(inScalarAt path: [PathComponent], scalar: String, offset: Int) -> SourcePosition {
        guard let info = document.node(at: path) else { return position(of: path) }
        return text.position(ofOffset: offset, in: scalar, scalarAt: info.position, style: info.style)
    }

    // MARK: - Reporting

    func report(_ message: String, at position: SourcePosition) {
        context.log.add(file: file, line: position.line, column: position.column, message)
    }

    func report(_ message: String, at node: Node, onKey: Bool = false) {
        report(message, at: onKey ? keyPosition(of: node.path) : position(of: node.path))
    }

    /// "`label`: expected `expected`, got a string".
    func reportType(_ node: Node, expected: String) {
        report("\(node.label): expected \(expected), got \(node.value.kindDescription)", at: node)
    }
}
