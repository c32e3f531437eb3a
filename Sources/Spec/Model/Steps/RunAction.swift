/// `run`: a local command in the operator's container — the escape hatch.
///
/// The command gets JSON on stdin: the value of `stdin` when given, else the context
/// `{object, old, new, diff, steps, item}`. Its stdout (parsed as JSON when it is JSON),
/// stderr and exit code go to `$steps.<name>`.
public struct RunAction: Sendable {
    /// The argv: a list of strings, each may hold templates.
    public var command: TemplateValue
    /// jq: what to send on stdin instead of the context.
    public var stdin: Expression?
    /// Extra environment variables: an object of strings, values may be templates.
    public var env: TemplateValue?
    public var expectExitCodes: [Int]

    public init(command: TemplateValue, stdin: Expression? = nil, env: TemplateValue? = nil, expectExitCodes: [Int] = [0]) {
        self.command = command
        self.stdin = stdin
        self.env = env
        self.expectExitCodes = expectExitCodes
    }
}
