import Reactor

/// What one pass over an object wants next, as data: the lifecycle never spawns tasks or
/// sleeps between passes itself; the runner hands this to the object's scheduler.
public struct Plan: Sendable, Equatable {
    /// When the object is due again, per reason (a retry's backoff, each timer's next
    /// run, each schedule's next run, the next resync).
    public var due: [ScheduleReason: ContinuousClock.Instant] = [:]
    /// The object is gone: forget everything scheduled for it.
    public var gone = false

    public init(due: [ScheduleReason: ContinuousClock.Instant] = [:], gone: Bool = false) {
        self.due = due
        self.gone = gone
    }

    public static let nothing = Plan()
    public static let gone = Plan(gone: true)

    /// Due for `reason` at `at`, keeping an earlier time already planned.
    public mutating func add(_ reason: ScheduleReason, at: ContinuousClock.Instant) {
        if let existing = due[reason], existing <= at { return }
        due[reason] = at
    }

    /// The retry time, if a retry is planned.
    public var retryAt: ContinuousClock.Instant? { due[.retry] }
}
