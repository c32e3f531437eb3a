/// What a handler reacts to (`on:`).
///
/// `reconcile` handlers are the level-triggered kind: they run on create, update,
/// resume, a change of an owned child (`spec.owns`) and the periodic resync, and must be
/// idempotent (`apply` is). `schedule` handlers run on a cron schedule.
public enum HandlerEvent: String, Sendable, Hashable, CaseIterable {
    case create, update, delete, resume, timer, reconcile, schedule
}

/// One handler: on an event, when its conditions hold, run its steps in order.
public struct HandlerSpec: Sendable {
    /// Unique within the operator; the result is stored as `status.<id>` and progress as
    /// `status.yopf.progress.<id>`.
    public var id: String
    public var on: HandlerEvent
    /// `field:` (update handlers only): run only when the value at this path changed,
    /// e.g. `["spec", "password"]`.
    public var field: [String]?
    /// jq; the handler runs only when it is true (not false or null).
    public var when: Expression?
    /// Attempts after the first failure; nil means retry without limit.
    public var retries: Int?
    public var backoff: BackoffSpec
    /// The whole handler's time limit, across retries; nil means none.
    public var timeout: Duration?
    /// Timers: time between runs.
    public var interval: Duration?
    /// Timers: time before the first run.
    public var initialDelay: Duration?
    /// jq: the ServiceAccount to act as; overrides the operator's.
    public var serviceAccount: Expression?
    /// At most `limit` runs of this handler with the same key at once, across objects.
    public var concurrency: ConcurrencySpec?
    /// Schedules (`on: schedule`): when to run.
    public var schedule: ScheduleSpec?
    public var steps: [StepSpec]
    /// jq, evaluated after the last step with `$steps`; stored as `status.<id>`.
    public var result: Expression?
    /// Per step: the names of step outputs that the steps after it and `result` read;
    /// nil when they may read any (`$steps` used whole). What a resume needs.
    public var outputsReadAfter: [Set<String>?] = []
    /// Where the handler starts in the operator file (1-based line and column).
    public var line: Int
    public var column: Int

    public init(
        id: String, on: HandlerEvent, field: [String]? = nil, when: Expression? = nil, retries: Int? = nil,
        backoff: BackoffSpec = BackoffSpec(), timeout: Duration? = nil, interval: Duration? = nil,
        initialDelay: Duration? = nil, serviceAccount: Expression? = nil,
        concurrency: ConcurrencySpec? = nil, steps: [StepSpec] = [],
        result: Expression? = nil, line: Int = 0, column: Int = 0
    ) {
        self.id = id
        self.on = on
        self.field = field
        self.when = when
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.interval = interval
        self.initialDelay = initialDelay
        self.serviceAccount = serviceAccount
        self.concurrency = concurrency
        self.steps = steps
        self.result = result
        self.line = line
        self.column = column
    }

    /// The step with this name, if any.
    public func step(named name: String) -> StepSpec? { steps.first { $0.name == name } }
}

/// Delay between attempts: `initial`, multiplied by `factor` after each failure, at most `max`.
public struct BackoffSpec: Sendable, Hashable {
    public var initial: Duration
    public var max: Duration
    public var factor: Double

    public init(initial: Duration = .seconds(5), max: Duration = .seconds(300), factor: Double = 2) {
        self.initial = initial
        self.max = max
        self.factor = factor
    }

    /// The delay before retry number `retry` (0 for the first retry): `initial ×
    /// factor^retry`, at most `max`.
    ///
    /// Saturating for any values (issue 18: `factor: 1e20` trapped converting the product to
    /// `Duration`'s Int128): the product is computed in Double seconds and compared with
    /// the ceiling (`max`, itself at most `Durations.maximum`) before any conversion, and a
    /// NaN or infinite factor or product is the ceiling.
    public func delay(beforeRetry retry: Int) -> Duration {
        let ceiling = Swift.min(Swift.max(max, .zero), Durations.maximum)
        let start = Swift.min(Swift.max(initial, .zero), ceiling)
        let limit = Self.seconds(ceiling)
        var delay = Self.seconds(start)
        let growth = factor.isNaN ? 1 : Swift.max(1, factor)
        var i = 0
        while i < retry, delay < limit, growth > 1 {
            delay *= growth
            i += 1
        }
        guard delay < limit else { return ceiling }
        return .nanoseconds(Int64(delay * 1e9))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
