import JSONValue
import Kube
import NIOCore
import NIOWebSocket

/// One `pods/NAME/exec` session over a WebSocket, after the upgrade: runs the command
/// through the backend's `PodAccess` and speaks the Kubernetes channel protocol.
///
/// - Client → server: channel 0 stdin, 4 resize (ignored: the dev-cluster has no
///   terminals), and in `v5.channel.k8s.io` the close signal `[255, 0]`, which ends the
///   command's stdin. `v4.channel.k8s.io` has no such signal: a command reading stdin there
///   gets end of input only when the client hangs up, and then its status cannot be sent
///   (the reason clients stream stdin over v5 only).
/// - Server → client: an empty message opening the first output channel (as the kubelet
///   sends), 1 stdout, 2 stderr, then one `Status` on channel 3 and a close frame (1000).
///   The connection is closed when the client answers the close frame, or after
///   `closeGrace` if it never does.
///
/// Back-pressure both ways: stdin goes through a bounded `StdinPipe` that holds socket
/// reads while the command lags; output messages are awaited until written.
/// Fragmented messages are followed frame by frame (the channel byte is in the first).
final class ExecSessionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let closeSignal: UInt8 = 255
    static let closeGrace: TimeAmount = .seconds(5)

    let options: ExecOptions
    let supportsClose: Bool
    let pods: (any PodAccess)?
    private var stdin: StdinPipe?
    private var task: Task<Void, Never>?
    /// Channel of the data message whose continuation frames may follow; nil: drop them.
    private var messageChannel: UInt8?
    private var sentClose = false
    private var receivedClose = false

    init(options: ExecOptions, protocol chosen: String, pods: (any PodAccess)?) {
        self.options = options
        self.supportsClose = chosen == "v5.channel.k8s.io"
        self.pods = pods
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let pipe = options.stdin ? StdinPipe(resume: { channel.read() }) : nil
        stdin = pipe
        task = Self.start(options, pods: pods, stdin: pipe, writer: ExecFrameWriter(channel: channel))
    }

    private static func start(_ options: ExecOptions, pods: (any PodAccess)?, stdin: StdinPipe?, writer: ExecFrameWriter) -> Task<Void, Never> {
        Task { await run(options, pods: pods, stdin: stdin, writer: writer) }
    }

    /// The command from start to status; runs on its own task.
    static func run(_ options: ExecOptions, pods: (any PodAccess)?, stdin: StdinPipe?, writer: ExecFrameWriter) async {
        let status: JSON
        do {
            let opening: UInt8 = options.stdout ? 1 : options.stderr ? 2 : 3
            try await writer.send(opening, [UInt8]())
            guard let pods else {
                throw PodExecError("this dev-cluster runs no pods: start it with a workload simulator to exec")
            }
            let input = stdin.map { pipe in PodExecInput { try await pipe.read() } }
            let stdout = options.stdout ? PodExecOutput { try await writer.send(1, $0) } : .discard
            // With a terminal, stderr is part of stdout.
            let stderr = options.stderr && !options.tty ? PodExecOutput { try await writer.send(2, $0) } : .discard
            let code = try await pods.exec(options.request, stdin: input, stdout: stdout, stderr: stderr)
            status = ExecStatus.exited(code, command: options.command)
        } catch {
            if Task.isCancelled { return }  // the client hung up: nobody to tell
            status = ExecStatus.failure(error)
        }
        stdin?.discard()
        do {
            try await writer.send(3, status.serializedBytes())
        } catch {
            return  // the connection is gone
        }
        await writer.close()
        let channel = writer.channel
        channel.eventLoop.scheduleTask(in: closeGrace) { channel.close(promise: nil) }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            receivedClose = true
            if sentClose {
                context.close(promise: nil)
            } else {
                // The client hangs up first: stop the command and answer its close.
                task?.cancel()
                stdin?.fail(PodExecError("the client closed the exec session"))
                var buffer = context.channel.allocator.buffer(capacity: 2)
                buffer.write(webSocketErrorCode: .normalClosure)
                sentClose = true
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)))
                    .whenComplete { _ in channel.close(promise: nil) }
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .binary:
            var data = frame.unmaskedData
            messageChannel = data.readInteger(as: UInt8.self)
            if let channel = messageChannel { deliver(channel, &data) }
            if frame.fin { messageChannel = nil }
        case .continuation:
            var data = frame.unmaskedData
            if let channel = messageChannel { deliver(channel, &data) }
            if frame.fin { messageChannel = nil }
        default:
            // Text messages belong to the base64 protocols, which are not offered; pongs need nothing.
            messageChannel = nil
        }
    }

    private func deliver(_ channel: UInt8, _ data: inout ByteBuffer) {
        switch channel {
        case 0:
            if let bytes = data.readBytes(length: data.readableBytes) { stdin?.push(bytes) }
        case Self.closeSignal where supportsClose:
            if data.readInteger(as: UInt8.self) == 0 { stdin?.finish() }
        default:
            break  // resize and unknown channels
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        stdin?.fail(PodExecError("the exec connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Framing errors (oversized or malformed frames) end the session.
        context.close(promise: nil)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if let stdin, !receivedClose, stdin.holdsRead() { return }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        if frame.opcode == .connectionClose {
            if sentClose, !receivedClose { promise?.succeed(); return }  // one close frame per session
            sentClose = true
        }
        context.write(data, promise: promise)
    }
}
