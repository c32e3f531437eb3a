import NIOCore
import NIOWebSocket

/// Writes an exec session's output as channel messages, from the command's task.
///
/// Each message is awaited until NIO has handed it to the socket, so a client that reads
/// slowly slows the command down instead of growing a queue in the server.
struct ExecFrameWriter: Sendable {
    /// Output pieces per message: small enough to keep the stream moving and the client's
    /// buffers small, large enough that framing costs nothing.
    static let piece = 32 << 10

    let channel: any Channel

    func send(_ channelID: UInt8, _ bytes: some Collection<UInt8>) async throws {
        var rest = bytes[...]
        repeat {
            let part = rest.prefix(Self.piece)
            rest = rest.dropFirst(part.count)
            var buffer = channel.allocator.buffer(capacity: part.count + 1)
            buffer.writeInteger(channelID)
            buffer.writeBytes(part)
            try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: buffer)).get()
        } while !rest.isEmpty
    }

    /// A close frame; the session closes the connection when the client answers it.
    func close(code: WebSocketErrorCode = .normalClosure) async {
        var buffer = channel.allocator.buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        try? await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)).get()
    }
}
