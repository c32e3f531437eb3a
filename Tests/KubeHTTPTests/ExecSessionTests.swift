import Foundation
import JSONValue
import Kube
import Platform
import Testing
@testable import KubeHTTP

/// `KubeClient.exec` and `logs` against a small exec server on loopback that speaks the
/// WebSocket handshake and the Kubernetes channel protocols as kube-apiserver does.
@Suite struct ExecSessionTests {
    /// What the server saw of one request.
    struct Seen: Sendable {
        var requestLine = ""
        var headers: [String: String] = [:]
        var stdinBytes = 0
        var stdinClosed = false
        var pongs: [[UInt8]] = []
        var clientClose: UInt16?
    }

    /// An exec server: echoes stdin to stdout (until the v5 close signal), then writes
    /// "bye" to stderr and a status: `Success`, or `NonZeroExitCode` when argv is `exit N`.
    static func execServer(supported: [String] = ["v5.channel.k8s.io", "v4.channel.k8s.io"], ping: Bool = false) throws -> (TinyServer, Locked<Seen>) {
        let seen = Locked(Seen())
        let server = try TinyServer { c in
            guard let (line, headers) = c.readRequest() else { return }
            seen.update { $0.requestLine = line; $0.headers = headers }
            let offered = (headers["sec-websocket-protocol"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let chosen = supported.first(where: offered.contains) else {
                c.answer(status: 400, reason: "Bad Request", body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"requested protocol(s) are not supported: \#(offered); supports \#(supported)","reason":"BadRequest","code":400}"#)
                return
            }
            if line.contains("/pods/missing/") {
                c.answer(status: 404, reason: "Not Found", body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"missing\" not found","reason":"NotFound","code":404}"#)
                return
            }
            c.answerUpgrade(key: headers["sec-websocket-key"] ?? "", protocol: chosen)
            c.send(.binary, [1])  // servers open channels with empty messages
            c.send(.binary, [2])
            if ping {
                c.send(.ping, [1, 2, 3])
            }
            if line.contains("stdin=true") {
                while let m = c.nextMessage() {
                    switch m {
                    case .binary(let b) where b.first == 0:
                        seen.update { $0.stdinBytes += b.count - 1 }
                        c.send(.binary, [1] + b.dropFirst())
                    case .binary(let b) where b == [255, 0]:
                        seen.update { $0.stdinClosed = true }
                    case .pong(let p):
                        seen.update { $0.pongs.append(p) }
                        continue
                    default:
                        continue
                    }
                    if seen.update({ $0.stdinClosed }) { break }
                }
            } else if ping, case .pong(let p)? = c.nextMessage() {
                seen.update { $0.pongs.append(p) }
            }
            c.send(.binary, [2] + Array("bye".utf8))
            let query = line.split(separator: " ")[1].split(separator: "?").last.map(String.init) ?? ""
            let command = query.split(separator: "&").filter { $0.hasPrefix("command=") }.map { String($0.dropFirst(8)) }
            let status: JSON = command.first == "exit"
                ? ["kind": "Status", "status": "Failure", "reason": "NonZeroExitCode", "message": "command terminated with non-zero exit code",
                   "details": ["causes": [["reason": "ExitCode", "message": .string(command[1])]]]]
                : ["kind": "Status", "status": "Success", "metadata": [:]]
            c.send(.binary, [3] + status.serializedBytes())
            c.send(.close, WebSocketFrame.closePayload(code: 1000))
            if case .close(let code, _)? = c.nextMessage() { seen.update { $0.clientClose = code } }
        }
        return (server, seen)
    }

    struct OutputCheck: Sendable {
        var count = 0
        var ok = true
    }

    func client(_ server: TinyServer) -> KubeClient {
        KubeClient(endpoint: ClusterEndpoint(server: server.url), credentials: BearerToken("secret-token"))
    }

    @Test func execWithoutStdinGetsOutputAndExitCode() async throws {
        let (server, seen) = try Self.execServer()
        defer { server.stop() }
        let result = try await client(server).exec(PodExecRequest(namespace: "db", pod: "mysql-0", container: "mysql", command: ["exit", "3"]))
        #expect(result.exitCode == 3)
        #expect(result.stderr == Array("bye".utf8))
        #expect(result.stdout.isEmpty)
        // The server thread records the client's close frame after the client has returned.
        for _ in 0..<500 where seen.value.clientClose == nil { try await Task.sleep(for: .milliseconds(10)) }
        let s = seen.value
        #expect(s.requestLine == "GET /api/v1/namespaces/db/pods/mysql-0/exec?command=exit&command=3&container=mysql&stdout=true&stderr=true HTTP/1.1")
        #expect(s.headers["authorization"] == "Bearer secret-token")
        #expect(s.headers["sec-websocket-protocol"] == "v5.channel.k8s.io, v4.channel.k8s.io")
        #expect(s.headers["host"] == "127.0.0.1:\(server.port)")
        #expect(s.clientClose == 1000, "the client answers the server's close")
    }

    @Test func argumentsAreEncodedNotShellSplit() async throws {
        let (server, seen) = try Self.execServer()
        defer { server.stop() }
        let r = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["sh", "-c", "echo a&b=c; x?"]))
        #expect(r.exitCode == 0)
        #expect(seen.value.requestLine.contains("?command=sh&command=-c&command=echo%20a%26b%3Dc%3B%20x%3F&stdout=true"))
    }

    @Test func stdinIsStreamedThenClosedWithTheV5Signal() async throws {
        let (server, seen) = try Self.execServer()
        defer { server.stop() }
        // Larger than every buffer on the way, in uneven chunks.
        let total = 3 << 20
        let sent = Locked(0)
        let input = PodExecInput {
            sent.update { n -> [UInt8]? in
                if n >= total { return nil }
                let size = min(total - n, 10_007)
                defer { n += size }
                return (n..<(n + size)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            }
        }
        let out = Locked(OutputCheck())
        let code = try await client(server).exec(
            PodExecRequest(namespace: "ns", pod: "p", command: ["cat"]), stdin: input,
            stdout: PodExecOutput { bytes in
                out.update { o in
                    for (i, b) in bytes.enumerated() where b != UInt8(truncatingIfNeeded: (o.count + i) &* 13) { o.ok = false }
                    o.count += bytes.count
                }
            },
            stderr: .discard)
        #expect(code == 0)
        #expect(out.value.count == total)
        #expect(out.value.ok, "stdout is stdin, byte for byte and in order")
        let s = seen.value
        #expect(s.stdinBytes == total)
        #expect(s.stdinClosed)
        #expect(s.headers["sec-websocket-protocol"] == "v5.channel.k8s.io", "stdin needs v5, so only v5 is offered")
        #expect(s.requestLine.contains("&stdin=true&"))
    }

    @Test func aV4OnlyServerRunsPlainExecButRefusesStdinClearly() async throws {
        let (server, _) = try Self.execServer(supported: ["v4.channel.k8s.io"])
        defer { server.stop() }
        let plain = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["exit", "0"]))
        #expect(plain.exitCode == 0)
        #expect(plain.stderr == Array("bye".utf8))
        do {
            _ = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["cat"]), stdin: .bytes([1, 2, 3]))
            Issue.record("stdin over v4 was accepted")
        } catch let e as PodExecError {
            #expect(e.message.contains("v5.channel.k8s.io"))
            #expect(e.message.contains("signal the end of input"))
        }
    }

    @Test func pingsAreAnsweredWithPongs() async throws {
        let (server, seen) = try Self.execServer(ping: true)
        defer { server.stop() }
        let r = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["true"]))
        #expect(r.exitCode == 0)
        #expect(seen.value.pongs == [[1, 2, 3]])
    }

    @Test func refusalsAreKubeErrorsFromTheStatusBody() async throws {
        let (server, _) = try Self.execServer()
        defer { server.stop() }
        do {
            _ = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "missing", command: ["true"]))
            Issue.record("no error")
        } catch let e as KubeError {
            #expect(e.code == 404)
            #expect(e.message == "pods \"missing\" not found")
        }
    }

    @Test func aServerThatIsNotWebSocketFailsTheHandshake() async throws {
        let server = try TinyServer { c in
            _ = c.readRequest()
            c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n")
        }
        defer { server.stop() }
        await #expect(throws: PodExecError.self) {
            _ = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["true"]))
        }
    }

    @Test func aSessionThatEndsWithoutStatusIsAnError() async throws {
        let server = try TinyServer { c in
            guard let (_, headers) = c.readRequest() else { return }
            c.answerUpgrade(key: headers["sec-websocket-key"] ?? "", protocol: "v5.channel.k8s.io")
            c.send(.binary, [1] + Array("partial".utf8))
            // Hang up without a status or a close frame (the API server went away).
        }
        defer { server.stop() }
        do {
            _ = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["true"]))
            Issue.record("no error")
        } catch let e as PodExecError {
            #expect(e.message.contains("before the command's exit status arrived"))
        }
    }

    @Test func aServerBreakingTheFramingFailsTheExec() async throws {
        let server = try TinyServer { c in
            guard let (_, headers) = c.readRequest() else { return }
            c.answerUpgrade(key: headers["sec-websocket-key"] ?? "", protocol: "v5.channel.k8s.io")
            c.write(WebSocketFrame(opcode: .binary, payload: [1, 65]).encoded(mask: [1, 2, 3, 4]))  // servers must not mask
            _ = c.readSome()
        }
        defer { server.stop() }
        do {
            _ = try await client(server).exec(PodExecRequest(namespace: "ns", pod: "p", command: ["true"]))
            Issue.record("no error")
        } catch let e as PodExecError {
            #expect(e.message.contains("masked"))
        }
    }

    @Test func logsAreReadWithContainerAndTailLines() async throws {
        let line = Locked("")
        let server = try TinyServer { c in
            guard let (l, _) = c.readRequest() else { return }
            line.set(l)
            c.answer(status: 200, reason: "OK", body: "two\nthree\n", contentType: "text/plain")
        }
        defer { server.stop() }
        let text = try await client(server).logs(PodLogRequest(namespace: "ns", pod: "job-1-abc", container: "main", tailLines: 2))
        #expect(text == "two\nthree\n")
        #expect(line.value == "GET /api/v1/namespaces/ns/pods/job-1-abc/log?container=main&tailLines=2 HTTP/1.1")
    }

    @Test func cancellingAnExecEndsTheSession() async throws {
        let state = Locked<(upgraded: Bool, hungUp: Bool)>((false, false))
        let server = try TinyServer { c in
            guard let (_, headers) = c.readRequest() else { return }
            c.answerUpgrade(key: headers["sec-websocket-key"] ?? "", protocol: "v5.channel.k8s.io")
            state.update { $0.upgraded = true }
            while c.readSome() != nil {}  // a command that never ends, until the client goes
            state.update { $0.hungUp = true }
        }
        defer { server.stop() }
        let c = client(server)
        let task = Task { try await c.exec(PodExecRequest(namespace: "ns", pod: "p", command: ["sleep", "infinity"])) }
        while !state.value.upgraded { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        while !state.value.hungUp { try await Task.sleep(for: .milliseconds(10)) }
        #expect(state.value.hungUp, "the connection was closed, not left open")
    }
}
