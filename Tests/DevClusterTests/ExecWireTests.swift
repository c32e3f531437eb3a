import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// The exec session on the wire, with a hand-rolled WebSocket client: the 101 answer,
/// fragmented stdin, pings, the v5 close signal, the status message and the close handshake.
@Suite struct ExecWireTests {
    /// A masked client frame.
    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return out
    }

    /// The complete server frames after the HTTP head: (fin, opcode, payload).
    static func frames(_ received: [UInt8]) -> [(fin: Bool, opcode: UInt8, payload: [UInt8])] {
        let marker: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = (0..<max(0, received.count - 3)).first(where: { Array(received[$0..<$0 + 4]) == marker }) else { return [] }
        var i = headEnd + 4
        var out: [(Bool, UInt8, [UInt8])] = []
        while i + 2 <= received.count {
            let fin = received[i] & 0x80 != 0, opcode = received[i] & 0x0F
            var length = Int(received[i + 1] & 0x7F)
            var start = i + 2
            if length == 126 {
                guard start + 2 <= received.count else { break }
                length = Int(received[start]) << 8 | Int(received[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= received.count else { break }
                length = received[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= received.count else { break }
            out.append((fin, opcode, Array(received[start..<start + length])))
            i = start + length
        }
        return out
    }

    static func upgrade(_ query: String, protocols: String, authorization: String? = nil) -> String {
        """
        GET /api/v1/namespaces/default/pods/p1/exec?\(query) HTTP/1.1\r
        Host: x\r\(authorization.map { "\nAuthorization: \($0)\r" } ?? "")
        Connection: Upgrade\r
        Upgrade: websocket\r
        Sec-WebSocket-Version: 13\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        Sec-WebSocket-Protocol: \(protocols)\r
        \r

        """
    }

    static func hasClose(_ bytes: [UInt8]) -> Bool { frames(bytes).contains { $0.opcode == 0x8 } }

    @Test func v5SessionWithFragmentedStdinPingAndClose() async throws {
        let s = try await ExecServingTests.Served.start()
        let port = s.port
        let c = try RawHTTPConnection(port: port)
        try c.send(Self.upgrade("command=cat&stdin=true&stdout=true&stderr=true", protocols: "v4.channel.k8s.io, v5.channel.k8s.io"))
        #expect(await c.read(until: "\r\n\r\n"))
        #expect(c.text.hasPrefix("HTTP/1.1 101 Switching Protocols"))
        #expect(c.text.lowercased().contains("sec-websocket-protocol: v5.channel.k8s.io"))
        // stdin "hello" split over a fragment and a continuation, a ping between them.
        try c.send(bytes: Self.frame(0x2, [0] + Array("hel".utf8), fin: false))
        try c.send(bytes: Self.frame(0x9, Array("p".utf8)))
        try c.send(bytes: Self.frame(0x0, Array("lo".utf8), fin: true))
        try c.send(bytes: Self.frame(0x2, [255, 0]))
        #expect(await c.read(until: Self.hasClose))
        let frames = Self.frames(c.received)
        #expect(frames.contains { $0.opcode == 0xA && $0.payload == Array("p".utf8) })
        let data = frames.filter { $0.opcode == 0x2 }.map(\.payload)
        let stdout = data.filter { $0.first == 1 }.flatMap { $0.dropFirst() }
        #expect(String(decoding: stdout, as: UTF8.self) == "hello")
        let status = try JSON.parse(data.filter { $0.first == 3 }.flatMap { $0.dropFirst() })
        #expect(status == ["metadata": [:], "status": "Success"])
        // The status comes before the close frame, which says 1000.
        let close = try #require(frames.last)
        #expect(close.opcode == 0x8 && close.payload.prefix(2) == [0x03, 0xE8])
        // Answering the close ends the connection.
        try c.send(bytes: Self.frame(0x8, [0x03, 0xE8]))
        await c.readToEnd()
        await s.stop()
    }

    @Test func v4SessionCarriesTheExitCode() async throws {
        let s = try await ExecServingTests.Served.start(protocols: ["v4.channel.k8s.io"])
        let port = s.port
        let c = try RawHTTPConnection(port: port)
        try c.send(Self.upgrade("command=sh&command=-c&command=exit%207&stdout=true&stderr=true", protocols: "v5.channel.k8s.io,v4.channel.k8s.io"))
        #expect(await c.read(until: Self.hasClose))
        #expect(c.text.lowercased().contains("sec-websocket-protocol: v4.channel.k8s.io"))
        let status = try JSON.parse(Self.frames(c.received).filter { $0.opcode == 0x2 && $0.payload.first == 3 }.flatMap { $0.payload.dropFirst() })
        #expect(status["reason"] == "NonZeroExitCode")
        #expect(status["message"] == "command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7")
        #expect(status["details"]?["causes"] == [["reason": "ExitCode", "message": "7"]])
        await s.stop()
    }

    @Test func wrongCredentialsAreRefusedBeforeTheUpgrade() async throws {
        let s = try await ExecServingTests.Served.start()
        let c = try RawHTTPConnection(port: s.port)
        try c.send(Self.upgrade("command=echo&stdout=true", protocols: "v5.channel.k8s.io", authorization: "Bearer wrong"))
        #expect(await c.read(until: "Unauthorized\""))
        #expect(c.text.hasPrefix("HTTP/1.1 401"))
        let ok = try RawHTTPConnection(port: s.port)
        try ok.send(Self.upgrade("command=echo&command=hi&stdout=true", protocols: "v5.channel.k8s.io", authorization: "Bearer t"))
        #expect(await ok.read(until: Self.hasClose))
        #expect(ok.text.hasPrefix("HTTP/1.1 101"))
        await s.stop()
    }

    @Test func clientHangingUpFirstStopsTheCommand() async throws {
        let s = try await ExecServingTests.Served.start()
        let port = s.port
        let c = try RawHTTPConnection(port: port)
        // cat waits for stdin that never ends; the client closes the session instead.
        try c.send(Self.upgrade("command=cat&stdin=true&stdout=true", protocols: "v5.channel.k8s.io"))
        #expect(await c.read(until: "\r\n\r\n"))
        try c.send(bytes: Self.frame(0x2, [0] + Array("partial".utf8)))
        try c.send(bytes: Self.frame(0x8, [0x03, 0xE8]))
        await c.readToEnd()
        let frames = Self.frames(c.received)
        #expect(frames.last?.opcode == 0x8)
        #expect(!frames.contains { $0.opcode == 0x2 && $0.payload.first == 3 })
        await s.stop()
    }
}
