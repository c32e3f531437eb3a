/// The ranges `yopf check` accepts for the numbers and durations of an operator file.
///
/// Each bound keeps a value from breaking the runtime: every time computed from a duration
/// (a retry's timestamp, a timer's sleep, a deadline) must fit its integer type, a zero
/// interval or backoff would spin, and a Kubernetes field has its own type (replicas are
/// int32). The runtime also saturates its arithmetic (`BackoffSpec.delay`), so a value
/// that reaches it some other way still cannot trap the process. docs/operator-file.md
/// lists the same ranges.
public enum Limits {
    /// The longest duration of any field: a year.
    public static let longestDuration: Duration = .seconds(365 * 24 * 3600)
    /// Timers run at most ten times a second.
    public static let shortestInterval: Duration = .milliseconds(100)
    /// A backoff's `initial` and `max`: retries at most ten times a second.
    public static let shortestBackoff: Duration = .milliseconds(100)
    /// Handler and step timeouts.
    public static let shortestTimeout: Duration = .milliseconds(1)
    /// A backoff's `factor` (1 keeps the delay constant).
    public static let largestBackoffFactor: Double = 100
    /// `retries` (leave it out to retry without limit).
    public static let maximumRetries = 1_000_000
    /// `settings.concurrency`.
    public static let maximumConcurrency = 10_000
}
