import JSONValue

/// The index of one expression in its operator's `JQProgram`.
///
/// Every jq expression of an operator (filters, `when`, `if`, `forEach`, `result`, and
/// each `${{ }}` of every template, inline or in a template file) is compiled into one
/// program when the operator is loaded; the runtime evaluates an expression by this index
/// and never compiles per event. IDs are dense, starting at 0, in the order the loader met
/// the expressions, so `id.index` is also the position in `LoadedOperator.expressions`.
public struct ExpressionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var index: Int

    public init(_ index: Int) { self.index = index }

    public static func < (lhs: ExpressionID, rhs: ExpressionID) -> Bool { lhs.index < rhs.index }

    public var description: String { "#\(index)" }
}

/// A field whose value is a jq expression (`when`, `if`, `forEach`, `filter`, `result`, …).
public struct Expression: Sendable, Hashable {
    public var id: ExpressionID
    /// The jq text as written.
    public var source: String

    public init(id: ExpressionID, source: String) {
        self.id = id
        self.source = source
    }
}

/// Where one expression of an operator was written: for error messages and for tools
/// (`yopf plan`, logs) that want to name an expression.
public struct ExpressionSite: Sendable, Hashable {
    public var id: ExpressionID
    /// The jq text (for a template, what stands between `${{` and `}}`).
    public var source: String
    /// The file it was written in: the operator file or a template file.
    public var file: String
    /// 1-based position of the expression's first character (best effort for block and
    /// folded scalars; the scalar's start otherwise).
    public var line: Int
    public var column: Int
    /// What the expression is for, e.g. `handler "mysql_on_create" when` or `template`.
    public var role: String

    public init(id: ExpressionID, source: String, file: String, line: Int, column: Int, role: String) {
        self.id = id
        self.source = source
        self.file = file
        self.line = line
        self.column = column
        self.role = role
    }
}
