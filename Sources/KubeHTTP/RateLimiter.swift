import Platform
import Synchronization

/// A token bucket (Platform's TokenBucket): `qps` tokens a second, at most `burst` saved up (client-go's default
/// client-side limiter has the same shape). `acquire` waits for a token.
///
/// The limit can be switched off while requests flow (`disable()`): the client does so
/// when the server shows that it protects itself with API Priority and Fairness.
public final class RateLimiter: Sendable {
    private struct State {
        var bucket: TokenBucket
        var enabled: Bool
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
        state = Mutex(State(bucket: TokenBucket(rate: qps, capacity: Double(max(1, burst)), now: .now), enabled: qps > 0))
    }

    public var totalWait: Duration { waited.withLock { $0 } }

    /// Whether requests are limited now.
    public var isEnabled: Bool { state.withLock { $0.enabled } }

    /// Stops limiting (callers already waiting finish their wait).
    public func disable() { state.withLock { $0.enabled = false } }

    public func acquire() async throws {
        let delay: Duration = state.withLock { s in
            guard s.enabled else { return .zero }
            return s.bucket.reserve(at: .now)
        }
        if delay > .zero {
            waited.withLock { $0 += delay }
            try await Task.sleep(for: delay)
        }
    }
}

/// How the client limits its own request rate.
public enum RateLimitPolicy: Sendable, Equatable {
    /// What controller-runtime and Flux do today: no client-side limit when the server
    /// answers with API Priority and Fairness headers (it protects itself and queues
    /// fairly), else `fallback` — a conservative limit for servers without it.
    case automatic(fallback: (qps: Double, burst: Int))
    /// A fixed limit set by the user; qps 0 disables limiting.
    case fixed(qps: Double, burst: Int)

    /// client-go's defaults are 5/10, which made operators crawl; 50/100 keeps a server
    /// without flow control safe from one operator's backlog while leaving room to work.
    public static let conservative: (qps: Double, burst: Int) = (50, 100)

    public static func == (a: RateLimitPolicy, b: RateLimitPolicy) -> Bool {
        switch (a, b) {
        case (.automatic(let x), .automatic(let y)): return x.qps == y.qps && x.burst == y.burst
        case (.fixed(let q1, let b1), .fixed(let q2, let b2)): return q1 == q2 && b1 == b2
        default: return false
        }
    }
}
