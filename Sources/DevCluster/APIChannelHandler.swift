import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The last handler of each connection's pipeline: gathers one request, hands it to the
/// router on a Swift task, and writes the answer back — whole, or chunk by chunk for
/// watches, awaiting each write so a slow client slows the stream instead of filling memory.
///
/// When the connection closes, the request's task is cancelled: a watch then stops
/// consuming the store's stream, which releases the store's watcher.
final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Its name in the pipeline, by which an exec upgrade removes it.
    static let name = "yopf-api"

    /// Bodies larger than this are refused with 413 (kube-apiserver's limit is 3 MiB per object).
    static let maximumBodySize = 16 * 1024 * 1024

    let router: APIRouter
    let log: RequestLog
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var task: Task<Void, Never>?

    init(router: APIRouter, log: RequestLog) {
        self.router = router
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maximumBodySize {
                tooLarge = true
                body = []
            } else if !tooLarge, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            var headers: [String: String] = [:]
            for (name, value) in head.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { "\($0), \(value)" } ?? value
            }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
            body = []
            let keepAlive = head.isKeepAlive
            let version = head.version
            let router = self.router
            let log = self.log
            let channel = context.channel
            let started = log.start()
            let tooLarge = self.tooLarge
            task = Task {
                let response: APIResponse
                if tooLarge {
                    response = .error(.init(code: 413, reason: "RequestEntityTooLarge",
                                            message: "the request body is larger than \(APIChannelHandler.maximumBodySize) bytes"))
                } else {
                    response = await router.handle(request)
                }
                await APIChannelHandler.write(response, to: channel, version: version, keepAlive: keepAlive, isHead: request.method == "HEAD")
                log.finish(request, status: response.status, since: started)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused WebSocket upgrade is reported here, then the request goes on as plain
        // HTTP: the connection must stay open for its answer.
        if error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }

    /// Writes a response; runs off the event loop, so every write goes through the channel.
    static func write(_ response: APIResponse, to channel: any Channel, version: HTTPVersion, keepAlive: Bool, isHead: Bool) async {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        if let seconds = response.retryAfterSeconds { headers.add(name: "Retry-After", value: String(seconds)) }
        do {
            switch response {
            case .full(let status, _, let body):
                headers.add(name: "Content-Length", value: String(body.count))
                let head = HTTPResponseHead(version: version, status: .init(statusCode: status), headers: headers)
                channel.write(HTTPServerResponsePart.head(head), promise: nil)
                if !isHead, !body.isEmpty {
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
                }
                try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            case .stream(let status, _, let chunks):
                headers.add(name: "Transfer-Encoding", value: "chunked")
                let head = HTTPResponseHead(version: version, status: .init(statusCode: status), headers: headers)
                try await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
                for try await chunk in chunks {
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: chunk)))).get()
                }
                try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            }
            if !keepAlive { try? await channel.close() }
        } catch {
            // The client went away mid-response: nothing left to tell it.
            try? await channel.close()
        }
    }
}
