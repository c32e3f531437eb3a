import NIOCore
import NIOHTTP1
import NIOPosix
import Platform

/// Serves `/healthz`, `/readyz` and `/metrics` (Prometheus text) on one address.
///
/// The same SwiftNIO the dev-cluster serves with: no second HTTP server in the binary.
public final class OpsServer: Sendable {
    public struct Routes: Sendable {
        /// Alive: the process can still do its work (not stuck).
        public var healthy: @Sendable () -> Bool
        /// Ready: every watch has listed and is streaming.
        public var ready: @Sendable () -> Bool
        /// The Prometheus text exposition, or nil when metrics are not served here.
        public var metrics: (@Sendable () -> [UInt8])?

        public init(healthy: @escaping @Sendable () -> Bool, ready: @escaping @Sendable () -> Bool, metrics: (@Sendable () -> [UInt8])?) {
            self.healthy = healthy
            self.ready = ready
            self.metrics = metrics
        }
    }

    private let routes: Routes
    private let group: MultiThreadedEventLoopGroup
    private let channel = Locked<(any Channel)?>(nil)

    public init(routes: Routes) {
        self.routes = routes
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Binds `host:port` (0 = any free port) and returns the port.
    public func start(host: String, port: Int) async throws -> Int {
        let routes = self.routes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(OpsHandler(routes: routes))
                }
            }
        let ch = try await bootstrap.bind(host: host, port: port).get()
        channel.set(ch)
        return ch.localAddress?.port ?? port
    }

    public func stop() async {
        let ch = channel.update { c in defer { c = nil }; return c }
        try? await ch?.close()
        try? await group.shutdownGracefully()
    }

    /// Splits `HOST:PORT` (`:8080` means all interfaces).
    public static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

private final class OpsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: OpsServer.Routes

    init(routes: OpsServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        var status: HTTPResponseStatus = .ok
        var body: [UInt8]
        var contentType = "text/plain; charset=utf-8"
        switch (head.method, path) {
        case (.GET, "/healthz"), (.GET, "/livez"):
            if routes.healthy() { body = Array("ok\n".utf8) } else { status = .internalServerError; body = Array("unhealthy\n".utf8) }
        case (.GET, "/readyz"):
            if routes.ready() { body = Array("ok\n".utf8) } else { status = .serviceUnavailable; body = Array("not ready: watches have not listed yet\n".utf8) }
        case (.GET, "/metrics"):
            if let metrics = routes.metrics {
                body = metrics()
                contentType = "text/plain; version=0.0.4; charset=utf-8"
            } else {
                status = .notFound
                body = Array("metrics are served on --metrics-addr\n".utf8)
            }
        default:
            status = .notFound
            body = Array("not found\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
