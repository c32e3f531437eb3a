import Foundation
import Glibc
import Synchronization
@testable import KubeHTTP

/// A loopback TCP server on a port of its own, one thread per connection, for tests that
/// need a peer speaking plain HTTP/1.1 and WebSocket frames (blocking POSIX sockets).
final class TinyServer: Sendable {
    let listener: Int32
    let port: UInt16

    init(handler: @escaping @Sendable (ServerConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw TestError("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        Thread.detachNewThread {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                Thread.detachNewThread {
                    handler(ServerConnection(fd: c))
                    close(c)
                }
            }
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The server side of one connection.
final class ServerConnection: Sendable {
    let fd: Int32
    private let pending = Mutex<[UInt8]>([])
    private let reader = Mutex(WebSocketReader(expectMasked: true))

    init(fd: Int32) { self.fd = fd }

    /// The request line and headers (lower-case names) of an HTTP request.
    func readRequest() -> (line: String, headers: [String: String])? {
        var buffer: [UInt8] = []
        while true {
            if let end = find(buffer, [13, 10, 13, 10]) {
                pending.withLock { $0 = Array(buffer[(end + 4)...]) }
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = text.components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for l in lines.dropFirst() {
                    if let c = l.firstIndex(of: ":") {
                        headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
                    }
                }
                return (lines[0], headers)
            }
            guard let more = readSome() else { return nil }
            buffer += more
        }
    }

    func readSome() -> [UInt8]? {
        var b = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &b, b.count, 0)
        if n <= 0 { return nil }
        return Array(b[..<n])
    }

    func write(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// An unmasked server frame.
    func send(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) {
        write(WebSocketFrame(opcode: opcode, payload: payload).encoded(mask: nil))
    }

    /// The next client message (masked frames required), nil at the end.
    func nextMessage() -> WebSocketReader.Message? {
        if let q = queued.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return q }
        var input = pending.withLock { p in defer { p = [] }; return p }
        while true {
            let messages = (try? reader.withLock { try $0.push(input) }) ?? []
            if let first = messages.first {
                queued.withLock { $0 += messages.dropFirst() }
                return first
            }
            guard let more = readSome() else { return nil }
            input = more
        }
    }

    private let queued = Mutex<[WebSocketReader.Message]>([])

    func answerUpgrade(key: String, protocol chosen: String?) {
        var lines = [
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Accept: \(WebSocketHandshake.acceptValue(for: key))",
        ]
        if let chosen { lines.append("Sec-WebSocket-Protocol: \(chosen)") }
        write(lines.joined(separator: "\r\n") + "\r\n\r\n")
    }

    func answer(status: Int, reason: String, body: String, contentType: String = "application/json") {
        write("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
