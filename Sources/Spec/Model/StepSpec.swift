/// One step of a handler: the common fields and the one thing it does.
public struct StepSpec: Sendable {
    /// Position in the handler's `steps`, from 0.
    public var index: Int
    /// Unique within the handler; the step's output is `$steps.<name>`. Unnamed steps are
    /// not addressable from expressions.
    public var name: String?
    /// `if:` (jq): the step runs only when it is true.
    public var condition: Expression?
    /// `forEach:` (jq): the step runs once per output (each array element when the
    /// expression yields one array), with `$item` bound to it.
    public var forEach: Expression?
    public var timeout: Duration?
    public var onError: OnError
    public var action: StepAction
    /// Where the step starts in the operator file.
    public var line: Int
    public var column: Int

    public init(
        index: Int, name: String? = nil, condition: Expression? = nil, forEach: Expression? = nil,
        timeout: Duration? = nil, onError: OnError = .fail, action: StepAction, line: Int = 0, column: Int = 0
    ) {
        self.index = index
        self.name = name
        self.condition = condition
        self.forEach = forEach
        self.timeout = timeout
        self.onError = onError
        self.action = action
        self.line = line
        self.column = column
    }

    public var kind: StepKind { action.kind }

    /// A name for logs and progress: the step's name, else `<index>-<kind>` (e.g. `0-apply`).
    public var displayName: String { name ?? "\(index)-\(kind.rawValue)" }
}

/// What happens when a step fails (`onError:`).
public enum OnError: String, Sendable, Hashable, CaseIterable {
    /// The handler fails (and is retried per its `retries`/`backoff`).
    case fail
    /// The failure is recorded in `$steps.<name>` (`ok: false`) and the handler goes on.
    case `continue`
}

/// The step kinds: the key that says what a step does.
public enum StepKind: String, Sendable, Hashable, CaseIterable {
    case apply, create, patch, delete, get, list, exec, stream, scale, job, wait, status, event, fail, run
}

/// What a step does, with its parameters.
public enum StepAction: Sendable {
    case apply(ApplyAction)
    case create(CreateAction)
    case patch(PatchAction)
    case delete(DeleteAction)
    case get(GetAction)
    case list(ListAction)
    case exec(ExecAction)
    case stream(StreamAction)
    case scale(ScaleAction)
    case job(JobAction)
    case wait(WaitAction)
    case status(StatusAction)
    case event(EventAction)
    case fail(FailAction)
    case run(RunAction)

    public var kind: StepKind {
        switch self {
        case .apply: return .apply
        case .create: return .create
        case .patch: return .patch
        case .delete: return .delete
        case .get: return .get
        case .list: return .list
        case .exec: return .exec
        case .stream: return .stream
        case .scale: return .scale
        case .job: return .job
        case .wait: return .wait
        case .status: return .status
        case .event: return .event
        case .fail: return .fail
        case .run: return .run
        }
    }
}
