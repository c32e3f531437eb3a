import JSONValue
import Kube
import Platform
import Testing
@testable import KubeHTTP

@Suite struct SHA1Tests {
    func hex(_ b: [UInt8]) -> String { b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    @Test func knownVectors() {
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var s = SHA1()
        s.update(Array(data[0..<3]))
        s.update(Array(data[3..<130]))
        s.update(Array(data[130...]))
        #expect(s.finish() == SHA1.hash(data))
    }
}

@Suite struct WebSocketHandshakeTests {
    @Test func acceptValueOfRFC6455Example() {
        #expect(WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func requestCarriesTheUpgradeHeadersAndProtocols() {
        let h = WebSocketHandshake(protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"])
        #expect(Base64.decode(h.key)?.count == 16)
        #expect(WebSocketHandshake(protocols: []).key != h.key, "a fresh key per connection")
        let text = String(decoding: h.request(host: "k:6443", target: "/api/v1/x?y=1", extraHeaders: [("Authorization", "Bearer t")]), as: UTF8.self)
        #expect(text.hasPrefix("GET /api/v1/x?y=1 HTTP/1.1\r\nHost: k:6443\r\n"))
        #expect(text.contains("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"))
        #expect(text.contains("\r\nSec-WebSocket-Key: \(h.key)\r\nSec-WebSocket-Version: 13\r\n"))
        #expect(text.contains("\r\nSec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n"))
        #expect(text.hasSuffix("\r\nAuthorization: Bearer t\r\n\r\n"))
    }

    func head(_ lines: [String]) throws -> HTTPResponseHead {
        let bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\nREST").utf8)
        let parsed = try #require(try HTTPResponseHead.parse(bytes))
        #expect(Array(bytes[parsed.length...]) == Array("REST".utf8))
        return parsed.head
    }

    @Test func aValidAnswerYieldsTheChosenProtocol() throws {
        let h = WebSocketHandshake(protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"], key: "dGhlIHNhbXBsZSBub25jZQ==")
        let ok = try head(["HTTP/1.1 101 Switching Protocols", "Upgrade: WebSocket", "Connection: keep-alive, Upgrade",
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: v4.channel.k8s.io"])
        #expect(try h.verify(ok) == "v4.channel.k8s.io")
        let none = try head(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: upgrade",
                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="])
        #expect(try h.verify(none) == nil)
    }

    @Test func invalidAnswersAreRefused() throws {
        let h = WebSocketHandshake(protocols: ["v5.channel.k8s.io"], key: "dGhlIHNhbXBsZSBub25jZQ==")
        let good = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]
        let wrongAccept = try head(Array(good.prefix(3)) + ["Sec-WebSocket-Accept: AAAA"])
        let noUpgrade = try head([good[0], good[2], good[3]])
        let noConnection = try head([good[0], good[1], good[3]])
        let unoffered = try head(good + ["Sec-WebSocket-Protocol: v4.channel.k8s.io"])
        let notSwitching = try head(["HTTP/1.1 200 OK"] + good.dropFirst())
        for (name, h2) in [("accept", wrongAccept), ("upgrade", noUpgrade), ("connection", noConnection), ("protocol", unoffered), ("status", notSwitching)] {
            #expect(throws: WebSocketError.self, "\(name)") { try h.verify(h2) }
        }
    }

    @Test func headsArePartialUntilTheBlankLineAndBoundedInSize() throws {
        #expect(try HTTPResponseHead.parse(Array("HTTP/1.1 101 OK\r\nUpgrade: x\r\n".utf8)) == nil)
        let huge = Array(("HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 10_000)).utf8)
        #expect(throws: WebSocketError.self) { try HTTPResponseHead.parse(huge) }
        #expect(throws: WebSocketError.self) { try HTTPResponseHead.parse(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)) }
    }

    @Test func refusedUpgradeBodiesAreReadByLengthOrChunks() throws {
        var byLength = HTTPBodyReader(head: HTTPResponseHead(status: 400, headers: [("content-length", "5")]))
        let partial = byLength.push(Array("ab".utf8)[...])
        #expect(!partial)
        let complete = byLength.push(Array("cdeXX".utf8)[...])
        #expect(complete)
        #expect(byLength.body == Array("abcde".utf8))
        var chunked = HTTPBodyReader(head: HTTPResponseHead(status: 403, headers: [("transfer-encoding", "chunked")]))
        let firstChunk = chunked.push(Array("3\r\nabc\r\n".utf8)[...])
        #expect(!firstChunk)
        let lastChunk = chunked.push(Array("a;ext=1\r\n0123456789\r\n0\r\n\r\n".utf8)[...])
        #expect(lastChunk)
        #expect(chunked.body == Array("abc0123456789".utf8))
        var untilClose = HTTPBodyReader(head: HTTPResponseHead(status: 500, headers: []), limit: 4)
        let belowLimit = untilClose.push(Array("ab".utf8)[...])
        #expect(!belowLimit)
        let atLimit = untilClose.push(Array("cdef".utf8)[...])
        #expect(atLimit, "stops at the limit")
    }

    @Test func hostHeaderAndPathPrefixComeFromTheServerURL() {
        #expect(WebSocketConnection.hostHeader("https://user@k.example:6443/prefix/x") == "k.example:6443")
        #expect(WebSocketConnection.hostHeader("http://127.0.0.1:8080") == "127.0.0.1:8080")
        #expect(KubeClient.serverPathPrefix("https://rancher/k8s/clusters/c-1/") == "/k8s/clusters/c-1")
        #expect(KubeClient.serverPathPrefix("https://k:6443") == "")
    }
}

@Suite struct ExecChannelProtocolTests {
    @Test func messagesAreDecodedByChannel() {
        #expect(ExecChannelProtocol.decode([1, 65]) == .stdout([65][...]))
        #expect(ExecChannelProtocol.decode([2, 66, 67]) == .stderr([66, 67][...]))
        #expect(ExecChannelProtocol.decode([3, 123]) == .error([123][...]))
        #expect(ExecChannelProtocol.decode([1]) == .ignored, "servers open channels with empty messages")
        #expect(ExecChannelProtocol.decode([]) == .ignored)
        #expect(ExecChannelProtocol.decode([9, 1]) == .ignored)
    }

    @Test func stdinIsSplitIntoChannelZeroMessagesAndClosedWithTheV5Signal() throws {
        let data = (0..<(70 << 10)).map { UInt8(truncatingIfNeeded: $0) }
        let messages = ExecChannelProtocol.stdinMessages(data)
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0.first == 0 && $0.count <= (32 << 10) + 1 })
        #expect(messages.flatMap { $0.dropFirst() } == data)
        #expect(ExecChannelProtocol.stdinMessages([]).isEmpty)
        #expect(ExecChannelProtocol.closeStdin == [255, 0])
        let resize = ExecChannelProtocol.resize(width: 80, height: 24)
        #expect(resize.first == 4)
        #expect(try JSON.parse(Array(resize.dropFirst())) == ["Width": 80, "Height": 24])
    }

    func status(_ json: JSON) -> [UInt8] { json.serializedBytes() }

    @Test func statusesBecomeExitCodesOrErrors() throws {
        #expect(try ExecChannelProtocol.exitCode(status: status(["metadata": [:], "status": "Success"]), pod: "p") == 0)
        let nonZero: JSON = [
            "status": "Failure", "reason": "NonZeroExitCode", "message": "command terminated with non-zero exit code: exit status 42",
            "details": ["causes": [["reason": "ExitCode", "message": "42"]]],
        ]
        #expect(try ExecChannelProtocol.exitCode(status: status(nonZero), pod: "p") == 42)
        let notFound: JSON = ["status": "Failure", "reason": "InternalError",
                              "message": "OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH"]
        #expect(throws: PodExecError("exec in pod p failed: OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH")) {
            try ExecChannelProtocol.exitCode(status: status(notFound), pod: "p")
        }
        #expect(throws: PodExecError.self) { try ExecChannelProtocol.exitCode(status: Array("plain text error".utf8), pod: "p") }
        let noCode: JSON = ["status": "Failure", "reason": "NonZeroExitCode", "message": "m", "details": ["causes": []]]
        #expect(throws: PodExecError.self) { try ExecChannelProtocol.exitCode(status: status(noCode), pod: "p") }
    }
}
