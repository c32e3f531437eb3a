/// `exec`: run a command in a container of a pod; stdout, stderr and the exit code go to
/// `$steps.<name>`.
public struct ExecAction: Sendable {
    public var pod: PodSelector
    /// Nil: the pod's first container.
    public var container: TemplateValue?
    /// The argv: a list of strings, each may hold templates.
    public var command: TemplateValue
    /// Exit codes that count as success.
    public var expectExitCodes: [Int]

    public init(pod: PodSelector, container: TemplateValue?, command: TemplateValue, expectExitCodes: [Int] = [0]) {
        self.pod = pod
        self.container = container
        self.command = command
        self.expectExitCodes = expectExitCodes
    }
}

/// Which pod an `exec` or `stream` runs in (in the watched object's namespace).
public enum PodSelector: Sendable {
    /// `pod: {name: …}`.
    case name(TemplateValue)
    /// `pod: {selector: {label: value, …}}`: a running pod with these labels (an object of
    /// strings, values may be templates).
    case labels(TemplateValue)
}
