import Synchronization

/// A token bucket: `qps` tokens a second, at most `burst` saved up (client-go's default
/// client-side limiter has the same shape). `acquire` waits for a token.
public final class RateLimiter: Sendable {
    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    public let qps: Double
    public let burst: Int
    private let state: Mutex<State>
    /// Total time callers spent waiting for tokens, for the metrics.
    private let waited = Mutex<Duration>(.zero)

    /// `qps <= 0` disables limiting.
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = max(1, burst)
        state = Mutex(State(tokens: Double(max(1, burst)), last: .now))
    }

    public var totalWait: Duration { waited.withLock { $0 } }

    public func acquire() async throws {
        guard qps > 0 else { return }
        let delay: Duration = state.withLock { s in
            let now = ContinuousClock.now
            let elapsed = now - s.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            s.tokens = min(Double(burst), s.tokens + seconds * qps)
            s.last = now
            s.tokens -= 1  // reserve ours now: later callers queue behind us
            if s.tokens >= 0 { return .zero }
            return .milliseconds(Int((-s.tokens / qps) * 1000) + 1)
        }
        if delay > .zero {
            waited.withLock { $0 += delay }
            try await Task.sleep(for: delay)
        }
    }
}
