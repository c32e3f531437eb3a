// The HTTP front of the in-memory Kubernetes API server.
//
// Why SwiftNIO directly, not a web framework or Foundation's networking: the API server
// must stream chunked watch responses event by event with backpressure, keep many
// concurrent watches open on a small event-loop group, and upgrade `pods/exec` requests
// to WebSocket with subprotocol selection (`v5.channel.k8s.io`, falling back to `v4`).
// NIOHTTP1 and NIOWebSocket give exactly those pieces — the pipeline below already has
// the upgrade stage (`NIOWebSocketServerUpgrader`, whose `shouldUpgrade` answers the
// chosen `Sec-WebSocket-Protocol`) — and cost no Foundation, so the binary stays lean.
import Kube

import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// Serves a `DevClusterBackend` (normally a `MemoryCluster`) over HTTP on loopback so
/// that kubectl and yopf's own HTTP client can talk to it.
///
/// ```swift
/// let server = DevClusterServer(backend: cluster, token: "t")
/// let port = try await server.start(host: "127.0.0.1", port: 0)   // 0: any free port
/// try DevClusterServer.writeKubeconfig(path: p, server: "http://127.0.0.1:\(port)", token: "t")
/// …
/// try await server.stop()   // closes the listener and every open connection (watches too)
/// ```
public final class DevClusterServer: Sendable {
    public let backend: any DevClusterBackend
    public let token: String?
    /// When set, the server speaks https only, with this certificate.
    public let tls: TLSIdentity?
    public let log: RequestLog
    /// WebSocket subprotocols offered for `pods/exec`, best first.
    public let execProtocols: [String]

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
    }
    private let state = Mutex(State())

    /// - Parameters:
    ///   - token: when set, requests that carry credentials must carry this bearer token
    ///     (kubectl sends none over plain http, so requests without credentials pass).
    ///   - tls: serve https with this identity instead of plain http (kubectl sends the
    ///     kubeconfig's token only over https).
    ///   - verbose: log each request (method, path, code, duration) to stderr.
    ///   - execProtocols: the exec channel protocols served, best first (tests pass
    ///     `["v4.channel.k8s.io"]` to play an old API server).
    public init(backend: any DevClusterBackend, token: String? = nil, tls: TLSIdentity? = nil, verbose: Bool = false,
                execProtocols: [String] = ["v5.channel.k8s.io", "v4.channel.k8s.io"]) {
        self.backend = backend
        self.token = token
        self.tls = tls
        self.log = RequestLog(enabled: verbose)
        self.execProtocols = execProtocols.filter { WebSocketUpgrade.supportedProtocols.contains($0) }
    }

    /// Frames from clients may be this large (stdin pieces are 32 KiB from yopf, smaller from kubectl).
    static let maxFrameSize = 1 << 20

    /// Binds and starts serving; returns the bound port (useful with port 0).
    public func start(host: String, port: Int) async throws -> Int {
        var configured = APIRouter(backend: backend, token: token, serverAddress: "\(host):\(port)")
        configured.execProtocols = execProtocols
        let router = configured
        let log = self.log
        let backend = self.backend, token = self.token, protocols = self.execProtocols, tls = self.tls
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(TLSServerHandler(identity: tls, log: log))
                    }
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: Self.maxFrameSize,
                        shouldUpgrade: { channel, head in
                            WebSocketUpgrade.responseHeaders(for: head, on: channel, backend: backend, token: token, supported: protocols)
                        },
                        upgradePipelineHandler: { channel, head in
                            guard let (options, chosen) = WebSocketUpgrade.execSession(head, supported: protocols) else {
                                return channel.close()
                            }
                            // The HTTP handler is done with this connection: frames go to the session.
                            return channel.pipeline.removeHandler(name: APIChannelHandler.name).flatMapThrowing {
                                try channel.pipeline.syncOperations.addHandler(
                                    ExecSessionHandler(options: options, protocol: chosen, pods: backend as? any PodAccess))
                                log.upgraded(head.method.rawValue, uri: head.uri, protocol: chosen)
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(APIChannelHandler(router: router, log: log), name: APIChannelHandler.name)
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw DevClusterError.bind("cannot listen on \(host):\(port): \(error)")
        }
        state.withLock { $0.listener = listener }
        return listener.localAddress?.port ?? port
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }

    /// Number of open client connections (for tests that check nothing leaks).
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// Stops listening and closes every connection, open watches included.
    public func stop() async throws {
        let (listener, connections) = state.withLock { s -> ((any Channel)?, [any Channel]) in
            defer { s.listener = nil; s.connections = [:] }
            return (s.listener, Array(s.connections.values))
        }
        try? await listener?.close()
        for c in connections { try? await c.close() }
    }

    /// Writes a kubeconfig pointing at `server` (e.g. `http://127.0.0.1:8080`) with a bearer
    /// token, trusting `certificateAuthority` (PEM) when the server speaks https.
    public static func writeKubeconfig(path: String, server: String, token: String, certificateAuthority: String? = nil) throws {
        try Kubeconfig.write(path: path, server: server, token: token, certificateAuthority: certificateAuthority)
    }
}


