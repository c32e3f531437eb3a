import Synchronization

/// Decides the automatic client-side rate limit from the server's answers: a server
/// that does API Priority and Fairness (on by default since Kubernetes 1.20) names the
/// flow schema and priority level that classified each request in response headers;
/// such a server queues and sheds load itself, so the client stops limiting (as
/// controller-runtime and Flux do). A server without them keeps the fallback limit.
///
/// Called by `KubeClient.send` for every answer; the first answer decides.
final class FlowControlDetector: Sendable {
    static let headers = ["x-kubernetes-pf-flowschema-uid", "x-kubernetes-pf-prioritylevel-uid"]

    private let limiter: RateLimiter
    /// nil: undecided; true: the server does flow control.
    private let seen: Mutex<Bool?>

    init(limiter: RateLimiter, decided: Bool) {
        self.limiter = limiter
        seen = Mutex(decided ? false : nil)
    }

    /// True when the server showed flow control (only known under the automatic policy).
    var serverHasFlowControl: Bool? { seen.withLock { $0 } }

    func observe(_ response: HTTPResponse) {
        guard seen.withLock({ $0 == nil }) else { return }
        // Errors of the proxy in front or of authentication come before classification:
        // only an answer of the API decides.
        guard response.status < 500, response.status != 401 else { return }
        let present = Self.headers.contains { response.header($0) != nil }
        seen.withLock { $0 = present }
        if present { limiter.disable() }
    }
}

extension KubeClient {
    /// How requests are limited, decided by a first request when the policy is
    /// automatic: for the start-up log line.
    public func describeRateLimit() async -> String {
        switch options.rateLimit {
        case .fixed(let qps, let burst):
            return qps > 0 ? "client-side rate limit \(Self.format(qps))/s, burst \(burst) (--qps/--burst)" : "no client-side rate limit (--qps 0)"
        case .automatic(let fallback):
            if flowControl.serverHasFlowControl == nil { _ = try? await call("GET", "/version") }
            switch flowControl.serverHasFlowControl {
            case true?: return "no client-side rate limit: the server does API Priority and Fairness"
            case false?: return "client-side rate limit \(Self.format(fallback.qps))/s, burst \(fallback.burst): the server shows no API Priority and Fairness (set --qps 0 to lift it)"
            case nil: return "client-side rate limit \(Self.format(fallback.qps))/s, burst \(fallback.burst) until the server answers"
            }
        }
    }

    static func format(_ qps: Double) -> String {
        qps == qps.rounded() && abs(qps) < 1e15 ? String(Int(qps)) : String(qps)
    }
}
