/// A token bucket as a value: `rate` tokens a second, at most `capacity` saved up. The
/// caller holds it under its own lock and passes the time, so one bucket serves a real
/// clock (the client's rate limit) and a virtual one (the event budget in `yopf test`).
/// It does not wait or lock; KubeHTTP's RateLimiter and Lifecycle's EventRecorder use it.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    public private(set) var tokens: Double
    private var last: ContinuousClock.Instant

    /// Starts full.
    public init(rate: Double, capacity: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.capacity = capacity
        tokens = capacity
        last = now
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        tokens = min(capacity, tokens + (now - last).seconds * rate)
        last = now
    }

    /// Takes a token when one is there; false (and nothing taken) when none is.
    public mutating func take(at now: ContinuousClock.Instant) -> Bool {
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Takes a token now, into debt if need be (later callers queue behind it), and says
    /// how long to wait until it is covered.
    public mutating func reserve(at now: ContinuousClock.Instant) -> Duration {
        refill(at: now)
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .milliseconds(Int((-tokens / rate) * 1000) + 1)
    }
}
