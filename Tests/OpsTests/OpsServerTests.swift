import KubeHTTP
import Platform
import Testing

@testable import Ops

/// The probe and metrics endpoints over real HTTP.
@Suite struct OpsServerTests {
    func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let r = try await HTTPTransport().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)\(path)"))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func readyzFollowsReadinessAndMetricsAreServed() async throws {
        let ready = Locked(false)
        let server = OpsServer(routes: .init(healthy: { true }, ready: { ready.value }, metrics: { Array("m_total 1\n".utf8) }))
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { await server.stop() } }
        #expect(try await get(port, "/healthz") == (200, "ok\n"))
        let before = try await get(port, "/readyz")
        #expect(before.0 == 503)
        ready.set(true)
        #expect(try await get(port, "/readyz") == (200, "ok\n"))
        #expect(try await get(port, "/metrics") == (200, "m_total 1\n"))
        #expect(try await get(port, "/nothing").0 == 404)
        await server.stop()
    }

    @Test func anUnhealthyProcessFailsHealthz() async throws {
        let server = OpsServer(routes: .init(healthy: { false }, ready: { true }, metrics: nil))
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { await server.stop() } }
        #expect(try await get(port, "/healthz").0 == 500)
        #expect(try await get(port, "/metrics").0 == 404)
        await server.stop()
    }
}
