/// A place in a YAML source, 1-based (libyaml's 0-based mark plus one).
///
/// Columns count Unicode scalars (code points), as libyaml does, not bytes: to point at
/// the k-th character inside a single-line plain scalar, add k to `column`.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// One step of a path into a loaded document: an object key or an array index.
public enum PathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// How a scalar was written in the source. Quoted and block scalars are always strings.
public enum ScalarStyle: Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Where a node of a loaded document was written.
public struct NodeInfo: Sendable {
    /// Start of the value node. For scalars this is the first character of the value itself
    /// (the opening quote of a quoted scalar, the `|`/`>` of a block scalar), after any
    /// anchor or tag. Nodes reached through an alias or a merge key report where the
    /// anchored node was written.
    public var position: SourcePosition
    /// Start of the mapping key, for members of a mapping; nil for array items and the root.
    public var keyPosition: SourcePosition?
    /// The scalar's style; nil for mappings and sequences.
    public var style: ScalarStyle?

    public init(position: SourcePosition, keyPosition: SourcePosition? = nil, style: ScalarStyle? = nil) {
        self.position = position
        self.keyPosition = keyPosition
        self.style = style
    }
}
