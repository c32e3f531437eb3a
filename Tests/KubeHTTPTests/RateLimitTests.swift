import Foundation
import Synchronization
import Testing

@testable import KubeHTTP

/// The automatic client-side rate limit: none against a server that shows API Priority
/// and Fairness, the fallback limit otherwise; an explicit limit always holds.
@Suite struct RateLimitTests {
    /// A server answering every request with 200 `{}`, with or without the flow-control headers.
    final class Count: Sendable {
        let value = Mutex(0)
    }

    static func server(flowControl: Bool, requests: Count) throws -> TinyServer {
        try TinyServer { c in
            while let (_, _) = c.readRequest() {
                requests.value.withLock { $0 += 1 }
                let extra = flowControl
                    ? "X-Kubernetes-PF-FlowSchema-UID: 7a1b\r\nX-Kubernetes-PF-PriorityLevel-UID: 9c2d\r\n" : ""
                c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(extra)Content-Length: 2\r\n\r\n{}")
            }
        }
    }

    func client(_ server: TinyServer, _ policy: RateLimitPolicy) -> KubeClient {
        var options = ClientOptions()
        options.rateLimit = policy
        return KubeClient(endpoint: ClusterEndpoint(server: server.url), options: options)
    }

    @Test func noLimitWhenTheServerDoesFlowControl() async throws {
        let requests = Count()
        let server = try Self.server(flowControl: true, requests: requests)
        defer { server.stop() }
        let c = client(server, .automatic(fallback: (1, 1)))
        let description = await c.describeRateLimit()
        #expect(description.contains("no client-side rate limit"), "\(description)")
        for _ in 0..<5 { _ = try await c.call("GET", "/api/v1/namespaces/default/configmaps") }
        #expect(!c.limiter.isEnabled)
        #expect(c.limiter.totalWait == .zero)
    }

    @Test func theFallbackLimitWithoutFlowControl() async throws {
        let requests = Count()
        let server = try Self.server(flowControl: false, requests: requests)
        defer { server.stop() }
        let c = client(server, .automatic(fallback: (20, 1)))
        let description = await c.describeRateLimit()
        #expect(description.contains("20/s"), "\(description)")
        for _ in 0..<5 { _ = try await c.call("GET", "/api/v1/namespaces/default/configmaps") }
        #expect(c.limiter.isEnabled)
        // Six requests (with the probe) at 20/s with a burst of 1 wait about 250 ms in all.
        #expect(c.limiter.totalWait >= Duration.milliseconds(150))
    }

    @Test func anExplicitLimitHoldsEvenWithFlowControl() async throws {
        let requests = Count()
        let server = try Self.server(flowControl: true, requests: requests)
        defer { server.stop() }
        let c = client(server, .fixed(qps: 20, burst: 1))
        #expect(await c.describeRateLimit().contains("--qps"))
        for _ in 0..<5 { _ = try await c.call("GET", "/api/v1/namespaces/default/configmaps") }
        #expect(c.limiter.isEnabled)
        #expect(c.limiter.totalWait >= Duration.milliseconds(150))
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        let requests = Mutex(0)
        let server = try TinyServer { c in
            while let (_, _) = c.readRequest() {
                let n = requests.withLock { $0 += 1; return $0 }
                if n == 1 {
                    c.write("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                } else {
                    c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                }
            }
        }
        defer { server.stop() }
        let c = client(server, .fixed(qps: 0, burst: 1))
        let start = ContinuousClock.now
        _ = try await c.call("GET", "/api/v1/namespaces")
        #expect(requests.withLock { $0 } == 2)
        #expect(ContinuousClock.now - start >= .milliseconds(900), "Retry-After: 1 was honoured")
    }
}
