import JQ

/// An operator ready to run: its validated spec, its template files and every one of its
/// expressions compiled into one `JQProgram` (compile once at start-up, evaluate by
/// `ExpressionID` for every event).
public struct LoadedOperator: Sendable {
    public var spec: OperatorSpec
    /// The operator file as given (e.g. `handlers/mysql/operator.yaml`).
    public var file: String
    /// Its folder, against which template paths are resolved.
    public var folder: String
    /// The template files the steps use, in the order first used.
    public var templates: [TemplateFile]
    /// All expressions; `program.expressions[id.index]` is expression `id`.
    public var program: JQProgram
    /// Where each expression was written, indexed by `ExpressionID.index`.
    public var expressions: [ExpressionSite]

    public init(spec: OperatorSpec, file: String, folder: String, templates: [TemplateFile], program: JQProgram, expressions: [ExpressionSite]) {
        self.spec = spec
        self.file = file
        self.folder = folder
        self.templates = templates
        self.program = program
        self.expressions = expressions
    }

    /// The template file loaded for `path` (as written in the operator file).
    public func template(_ path: String) -> TemplateFile? { templates.first { $0.path == path } }

    /// `handlers/mysql/operator.yaml: ok (3 handlers, 11 steps, 24 expressions)`.
    public var summary: String {
        let handlers = spec.handlers.count
        let steps = spec.stepCount
        let expressions = program.expressions.count
        return "\(file): ok (\(Self.count(handlers, "handler")), \(Self.count(steps, "step")), "
            + "\(Self.count(expressions, "expression")))"
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
