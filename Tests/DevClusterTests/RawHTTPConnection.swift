import Foundation
import Glibc

/// A bare HTTP/1.1 client over a loopback socket, for tests that need to see the wire:
/// chunked watch streams, and what happens when the client hangs up mid-stream.
///
/// Reads block, so each runs on a thread of its own: blocking the few threads of Swift's
/// cooperative pool would starve the in-process server the test is talking to, and
/// Dispatch's pool grows only slowly when its threads block.
final class RawHTTPConnection {
    /// The socket; -1 once `hangUp` closed it.
    private(set) var fd: Int32
    private(set) var received: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // No close(fd) here: the object is fully initialized, so deinit runs and closes it.
        // Closing twice would close whatever socket reused the number meanwhile (another
        // test's server connection or client) and cross their streams.
        guard rc == 0 else { throw TestFailure("connect() to port \(port) failed") }
        // Reads give up after 30 s so a broken server fails the test instead of hanging it.
        // Generous: the kubectl referee flows run in parallel in the same process, and in a
        // debug build their servers' discovery and OpenAPI work can keep the cooperative
        // threads busy for several seconds.
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Closes the socket now (the client leaves). Closing exactly once matters: the number
    /// is reused at once by other tests' sockets (servers run in this process), and a second
    /// close would cut one of those.
    func hangUp() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { hangUp() }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw TestFailure("send() failed") }
    }

    func send(bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw TestFailure("send() failed") }
    }

    /// Reads until `done` holds for the bytes received so far; false when the peer closed
    /// or the read timed out first.
    func read(until done: ([UInt8]) -> Bool) async -> Bool {
        while !done(received) {
            guard let chunk = await Self.receive(fd) else { return false }
            received.append(contentsOf: chunk)
        }
        return true
    }

    /// Reads until the text received so far contains `marker`; false when the peer closed
    /// or the read timed out first.
    func read(until marker: String) async -> Bool {
        while !text.contains(marker) {
            guard let chunk = await Self.receive(fd) else { return false }
            received.append(contentsOf: chunk)
        }
        return true
    }

    /// Reads until the server closes the connection (or the read times out).
    func readToEnd() async {
        while let chunk = await Self.receive(fd) { received.append(contentsOf: chunk) }
    }

    /// One blocking recv on its own thread; nil at end of stream, error or timeout.
    static func receive(_ fd: Int32) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                continuation.resume(returning: n > 0 ? Array(buffer[0..<n]) : nil)
            }
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
