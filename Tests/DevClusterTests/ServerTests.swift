import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// The server over a real loopback socket: framing, streaming and clean-up.
@Suite struct ServerTests {
    /// Polls a condition a bounded number of times; the tests assert the outcome, never a duration.
    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func servesAndStops() async throws {
        let server = DevClusterServer(backend: MemoryCluster())
        let port = try await server.start(host: "127.0.0.1", port: 0)
        #expect(port > 0)
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await c.readToEnd()
        #expect(c.text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(c.text.hasSuffix("\r\n\r\nok"))
        try await server.stop()
        // The listener is closed: connecting is refused (polled: under load the event
        // loop may close the socket a moment after stop() returns).
        var refused = false
        for _ in 0..<100 where !refused {
            do {
                let probe = try RawHTTPConnection(port: port)
                probe.hangUp()
                try? await Task.sleep(for: .milliseconds(20))
            } catch {
                refused = true
            }
        }
        #expect(refused)
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = DevClusterServer(backend: MemoryCluster())
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { try await server.stop() } }
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await c.read(until: "v1.32.0"))
        try c.send("GET /api/v1/namespaces/default/configmaps/nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await c.read(until: "not found"))
        #expect(c.text.contains("HTTP/1.1 404 Not Found"))
        #expect(c.text.contains("Content-Type: application/json"))
    }

    @Test func watchStreamsChunkedEventsAndIsReleasedWhenTheClientLeaves() async throws {
        let cluster = MemoryCluster()
        let server = DevClusterServer(backend: cluster)
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { try await server.stop() } }
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("before"))
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await c.read(until: "\"name\":\"before\""))
        #expect(c.text.lowercased().contains("transfer-encoding: chunked"))
        #expect(cluster.openWatchCount == 1)
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("after"))
        #expect(await c.read(until: "\"name\":\"after\""))
        // One event per line: each line of the body is a whole {"type","object"} JSON object.
        let lines = c.text.split(separator: "\r\n").filter { $0.hasPrefix("{") }
        let events = lines.compactMap { try? JSON.parse(String($0)) }
        #expect(events.map { $0["type"] } == ["ADDED", "ADDED"])
        c.hangUp()
        // The store drops a watcher whose consumer stopped at its next event: one more
        // change shows that the server stopped consuming the stream.
        #expect(await eventually { server.openConnections == 0 })
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("later"))
        #expect(await eventually { cluster.openWatchCount == 0 })
    }

    @Test func watchEndsAtTimeoutSeconds() async throws {
        let cluster = MemoryCluster()
        let server = DevClusterServer(backend: cluster)
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { try await server.stop() } }
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await c.readToEnd()
        #expect(c.text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(c.text.hasSuffix("0\r\n\r\n"))  // the last chunk: the server ended the stream
        #expect(await eventually { cluster.openWatchCount == 0 })
    }

    @Test func stopClosesOpenWatches() async throws {
        let cluster = MemoryCluster()
        let server = DevClusterServer(backend: cluster)
        let port = try await server.start(host: "127.0.0.1", port: 0)
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /api/v1/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await c.read(until: "\r\n\r\n"))
        try await server.stop()
        await c.readToEnd()  // returns because the server closed the connection
        #expect(server.openConnections == 0)
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("later"))
        #expect(await eventually { cluster.openWatchCount == 0 })
    }

    @Test func tableWatchStreamsTables() async throws {
        let cluster = MemoryCluster()
        let server = DevClusterServer(backend: cluster)
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { try await server.stop() } }
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("t1"))
        let c = try RawHTTPConnection(port: port)
        try c.send("GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\nAccept: \(MediaType.tableV1),application/json\r\n\r\n")
        #expect(await c.read(until: "\"cells\":[\"t1\""))
        #expect(c.text.contains("\"kind\":\"Table\""))
    }

    @Test func refusedWebSocketUpgradeIsAnsweredOverHTTP() async throws {
        let server = DevClusterServer(backend: MemoryCluster())
        let port = try await server.start(host: "127.0.0.1", port: 0)
        defer { Task { try await server.stop() } }
        let c = try RawHTTPConnection(port: port)
        try c.send("""
            GET /api/v1/namespaces/default/pods/p1/exec?command=echo&stdout=true HTTP/1.1\r
            Host: x\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Protocol: v5.channel.k8s.io\r
            \r

            """)
        // No such pod: refused before the upgrade, with kube-apiserver's 404.
        #expect(await c.read(until: "not found"))
        #expect(c.text.hasPrefix("HTTP/1.1 404 Not Found"))
        #expect(c.text.contains(#"pods \"p1\" not found"#))
    }

    @Test func kubeconfigNamesServerTokenAndContext() throws {
        let text = Kubeconfig.text(server: "http://127.0.0.1:1234", token: "abc")
        #expect(text.contains("server: \"http://127.0.0.1:1234\""))
        #expect(text.contains("token: \"abc\""))
        #expect(text.contains("current-context: yopf-dev"))
        let token = Kubeconfig.randomToken()
        #expect(token.count == 32)
        #expect(token != Kubeconfig.randomToken())
    }
}

#if canImport(Glibc)
import Glibc
#endif
