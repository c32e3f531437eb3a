import JSONValue
import Kube
import Platform

/// Exec over a WebSocket (`pods/NAME/exec`, channel protocols v5 then v4) and pod logs.
extension KubeClient: PodAccess {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    public func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        let ref = ObjectRef(Self.pods, namespace: request.namespace, name: request.pod)
        var query: [(String, String?)] = request.command.map { ("command", $0) }
        query += [
            ("container", request.container), ("stdin", stdin == nil ? nil : "true"),
            ("stdout", "true"), ("stderr", "true"),
        ]
        let target = Self.serverPathPrefix(endpoint.server) + Self.objectPath(ref, subresource: "exec") + Self.query(query)
        // With stdin only v5 will do: v4 cannot tell the command that input has ended.
        let protocols = stdin == nil ? [ExecChannelProtocol.v5, ExecChannelProtocol.v4] : [ExecChannelProtocol.v5]
        let (connection, chosen) = try await open(target: target, protocols: protocols, wantsStdin: stdin != nil)
        guard let chosen, protocols.contains(chosen) else {
            connection.abort()
            throw PodExecError("exec in pod \(request.pod): the API server chose no channel protocol (offered \(protocols.joined(separator: ", "))); it is too old for yopf")
        }
        do {
            let code = try await withThrowingTaskGroup(of: Void.self) { group in
                if let stdin {
                    group.addTask { try await Self.pump(stdin, into: connection) }
                }
                let code = try await Self.collect(connection, pod: request.pod, stdout: stdout, stderr: stderr)
                group.cancelAll()
                return code
            }
            connection.close()
            return code
        } catch {
            connection.abort()
            if Task.isCancelled { throw CancellationError() }
            if let e = error as? WebSocketError { throw PodExecError("exec in pod \(request.pod): \(e)") }
            throw error
        }
    }

    public func logs(_ request: PodLogRequest) async throws -> String {
        let ref = ObjectRef(Self.pods, namespace: request.namespace, name: request.pod)
        let q = Self.query([
            ("container", request.container), ("tailLines", request.tailLines.map(String.init)),
            ("limitBytes", request.limitBytes.map(String.init)),
        ])
        let response = try await send("GET", Self.objectPath(ref, subresource: "log") + q, body: nil, contentType: "application/json")
        return String(decoding: response.body, as: UTF8.self)
    }

    // MARK: - Exec session

    /// Connects and upgrades, with the client's auth, rate limit and one retry after a 401.
    private func open(target: String, protocols: [String], wantsStdin: Bool) async throws -> (WebSocketConnection, String?) {
        var retriedUnauthorized = false
        while true {
            try await limiter.acquire()
            var headers: [(String, String)] = [("User-Agent", options.userAgent)]
            if let auth = try await credentials.authorization() { headers.append(("Authorization", auth)) }
            var connectOptions = WebSocketConnection.Options(url: endpoint.server, target: target)
            connectOptions.headers = headers
            connectOptions.protocols = protocols
            connectOptions.tls = endpoint.tls
            do {
                return try await WebSocketConnection.connect(connectOptions)
            } catch WebSocketError.refused(let status, let responseHeaders, let body) {
                if status == 401, !retriedUnauthorized {
                    retriedUnauthorized = true
                    await credentials.invalidate()
                    continue
                }
                let error = Self.decodeError(HTTPResponse(status: status, headers: responseHeaders, body: body), method: "GET", path: target)
                if wantsStdin, status == 400, error.message.includes("protocol") {
                    throw PodExecError("the API server does not speak \(ExecChannelProtocol.v5) (Kubernetes 1.29 and later do), which streaming stdin needs to signal the end of input; exec without stdin still works over \(ExecChannelProtocol.v4). The server said: \(error.message)")
                }
                throw error
            } catch let error as WebSocketError {
                if Task.isCancelled { throw CancellationError() }
                throw PodExecError("exec: \(error)")
            }
        }
    }

    /// Sends stdin as it comes, then the v5 close signal. A failing source ends the session
    /// with its error (the command must not run on with half its input as if it were all).
    private static func pump(_ stdin: PodExecInput, into connection: WebSocketConnection) async throws {
        do {
            while let chunk = try await stdin.read() {
                for message in ExecChannelProtocol.stdinMessages(chunk) { try await connection.send(.binary, message) }
            }
            try await connection.send(.binary, ExecChannelProtocol.closeStdin)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as WebSocketError {
            // The session ended first (the command exited without reading all input): the
            // reading side reports how it ended.
            if error != .closed { connection.abort(error) }
        } catch {
            connection.abort(error)
            throw error
        }
    }

    /// Hands stdout and stderr on until the session ends, and reads the exit status.
    private static func collect(_ connection: WebSocketConnection, pod: String, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        var status: [UInt8] = []
        loop: while let message = try await connection.receive() {
            switch message {
            case .binary(let bytes):
                switch ExecChannelProtocol.decode(bytes) {
                case .stdout(let data): try await stdout.write(Array(data))
                case .stderr(let data): try await stderr.write(Array(data))
                case .error(let data): status.append(contentsOf: data.prefix(max(0, (1 << 20) - status.count)))
                case .ignored: break
                }
            case .close(let code, let reason):
                if status.isEmpty {
                    throw PodExecError("exec in pod \(pod): the session ended (WebSocket close \(code)\(reason.isEmpty ? "" : ": \(reason)")) before the command's exit status arrived")
                }
                break loop
            case .text, .ping, .pong:
                continue
            }
        }
        if status.isEmpty { throw PodExecError("exec in pod \(pod): the session ended before the command's exit status arrived") }
        return try ExecChannelProtocol.exitCode(status: status, pod: pod)
    }

    /// The path of a server URL such as `https://proxy/k8s/clusters/c1` (here `/k8s/clusters/c1`).
    static func serverPathPrefix(_ server: String) -> String {
        var rest = Substring(server)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[rest.index(colon, offsetBy: 3)...] }
        guard let slash = rest.firstIndex(of: "/") else { return "" }
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
