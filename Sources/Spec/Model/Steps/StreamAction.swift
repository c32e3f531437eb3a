/// `stream`: `exec` with stdin streamed into the command.
public struct StreamAction: Sendable {
    /// Where the bytes come from.
    public enum Source: Sendable {
        /// `value:` (jq): a string is sent as is, anything else as JSON.
        case value(Expression)
        /// `secretKey: {name, key}`: a key of a Secret in the object's namespace.
        case secretKey(name: TemplateValue, key: TemplateValue)
        /// `configMapKey: {name, key}`.
        case configMapKey(name: TemplateValue, key: TemplateValue)
        /// `file:` a file in the operator's container (relative: to the operator's folder).
        case file(String)
        /// `fromExec: {pod, container, command}`: the stdout of a command in another pod,
        /// piped without touching a disk.
        case fromExec(ExecAction)
    }

    public var exec: ExecAction
    public var stdin: Source

    public init(exec: ExecAction, stdin: Source) {
        self.exec = exec
        self.stdin = stdin
    }
}
