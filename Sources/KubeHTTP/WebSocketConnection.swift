import CCurl
import Glibc
import Synchronization

/// A WebSocket client connection (RFC 6455) over libcurl, for exec sessions.
///
/// Why not libcurl's own WebSocket API: Debian 12's libcurl 7.88 has none. libcurl still does
/// what it is good at — DNS, TCP, TLS with the kubeconfig's CA and client certificate — on a
/// `CURLOPT_CONNECT_ONLY` connection; yopf sends the upgrade request and the frames itself with
/// `curl_easy_send`/`curl_easy_recv`, waiting on the socket with poll(2).
///
/// Each connection has one thread of its own that owns the CURL handle and the socket from
/// start to end; Swift tasks never touch them. Tasks and the thread meet in `state` (a Mutex)
/// and a pipe that wakes the thread. Both directions are bounded, which is what gives a
/// stream back-pressure: `send` waits while more than `outboxLimit` bytes are queued, and the
/// thread stops reading the socket while more than `inboxLimit` bytes wait for `receive`.
final class WebSocketConnection: Sendable {
    struct Options: Sendable {
        /// Where libcurl connects: `https://host:port` (the path is not used).
        var url: String
        /// The request target of the upgrade request: path and query.
        var target: String
        var headers: [(String, String)] = []
        var protocols: [String] = []
        var tls = TLSSettings()
        var connectTimeoutMilliseconds = 10_000
        /// From the connection to the server's 101; the API server reaches the kubelet first.
        var handshakeTimeoutMilliseconds = 60_000
        var maxMessageSize = 16 << 20
        var outboxLimit = 256 << 10
        var inboxLimit = 1 << 20
        /// How long to wait for the peer's close frame after sending ours.
        var closeTimeoutMilliseconds = 5_000
    }

    private struct State {
        var opened: CheckedContinuation<String?, any Error>?
        var outbox: [[UInt8]] = []
        var outboxHead = 0
        var outboxBytes = 0
        var writers: [CheckedContinuation<Void, any Error>] = []
        var inbox: [WebSocketReader.Message] = []
        var inboxHead = 0
        var inboxBytes = 0
        var reader: CheckedContinuation<WebSocketReader.Message?, any Error>?
        /// Set by `close`: no more sends; the close frame is the last thing in the outbox.
        var closing = false
        var aborted = false
        /// The thread is gone: nothing more arrives; `failure` says why when it was not a clean end.
        var finished = false
        var failure: (any Error)?
        /// The write end of the wake pipe, -1 once the thread closed it.
        var wakeFD: Int32
    }

    let options: Options
    private let state: Mutex<State>
    private let wakeRead: Int32

    private init(options: Options, wakeRead: Int32, wakeWrite: Int32) {
        self.options = options
        self.wakeRead = wakeRead
        state = Mutex(State(wakeFD: wakeWrite))
    }

    /// Connects, upgrades and returns the open connection with the subprotocol the server
    /// chose. Throws `WebSocketError` (`.refused` carries the server's HTTP answer).
    static func connect(_ options: Options) async throws -> (WebSocketConnection, String?) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw WebSocketError.transport("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        let connection = WebSocketConnection(options: options, wakeRead: fds[0], wakeWrite: fds[1])
        let chosen = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String?, any Error>) in
                connection.state.withLock { $0.opened = continuation }
                connection.startThread()
            }
        } onCancel: {
            connection.abort()
        }
        return (connection, chosen)
    }

    // MARK: - Task side

    /// Queues one message (a single frame); waits while the outbox is over its limit.
    func send(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) async throws {
        let frame = WebSocketFrame(opcode: opcode, payload: payload).encoded(mask: WebSocketFrame.randomMask())
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if let failure = s.failure { return .failure(failure) }
                    if s.finished || s.closing || s.aborted { return .failure(WebSocketError.closed) }
                    s.outbox.append(frame)
                    s.outboxBytes += frame.count
                    if s.outboxBytes <= options.outboxLimit { return .success(()) }
                    s.writers.append(continuation)
                    return nil
                }
                wake()
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            abort()
        }
    }

    /// The next message; nil once the connection has ended cleanly. A `.close` message is
    /// delivered before the end (code 1006 when the peer went away without one).
    func receive() async throws -> WebSocketReader.Message? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WebSocketReader.Message?, any Error>) in
                var wasFull = false
                let outcome: Result<WebSocketReader.Message?, any Error>? = state.withLock { s in
                    if s.inboxHead < s.inbox.count {
                        wasFull = s.inboxBytes >= options.inboxLimit
                        let m = s.inbox[s.inboxHead]
                        s.inboxHead += 1
                        s.inboxBytes -= Self.size(m)
                        if s.inboxHead == s.inbox.count {
                            s.inbox.removeAll(keepingCapacity: true)
                            s.inboxHead = 0
                        }
                        return .success(m)
                    }
                    if let failure = s.failure { return .failure(failure) }
                    if s.finished || s.aborted { return .success(nil) }
                    s.reader = continuation
                    return nil
                }
                if wasFull { wake() }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            abort()
        }
    }

    /// Starts the closing handshake after what is queued; further sends fail.
    func close(code: UInt16 = 1000, reason: String = "") {
        state.withLock { s in
            guard !s.closing, !s.finished else { return }
            s.closing = true
            let frame = WebSocketFrame(opcode: .close, payload: WebSocketFrame.closePayload(code: code, reason: reason))
            s.outbox.append(frame.encoded(mask: WebSocketFrame.randomMask()))
        }
        wake()
    }

    /// Ends the connection at once; waiting calls throw `error` (`.closed` by default).
    func abort(_ error: (any Error)? = nil) {
        state.withLock { s in
            guard !s.finished else { return }
            s.aborted = true
            if s.failure == nil { s.failure = error ?? WebSocketError.closed }
        }
        wake()
    }

    private func wake() {
        state.withLock { s in
            guard s.wakeFD >= 0 else { return }
            var one: UInt8 = 1
            _ = Glibc.write(s.wakeFD, &one, 1)  // a full pipe already means "wake up"
        }
    }

    private static func size(_ m: WebSocketReader.Message) -> Int {
        switch m {
        case .text(let b), .binary(let b), .ping(let b), .pong(let b): return b.count
        case .close: return 0
        }
    }

    /// `host:port` of a URL, for the Host header.
    static func hostHeader(_ url: String) -> String {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[rest.index(colon, offsetBy: 3)...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(rest)
    }

    // MARK: - Thread side

    private func startThread() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let connection = Unmanaged<WebSocketConnection>.fromOpaque(raw).takeRetainedValue()
            var worker = ConnectionWorker(connection: connection)
            worker.run()
            return nil
        }, box)
        if rc != 0 {
            Unmanaged<WebSocketConnection>.fromOpaque(box).release()
            finish(WebSocketError.transport("cannot start the connection's thread (pthread_create: \(rc))"))
        } else {
            pthread_detach(thread)
        }
    }

    /// What the thread takes to send next: the oldest queued frame.
    fileprivate func takeFrame() -> [UInt8]? {
        var ready: [CheckedContinuation<Void, any Error>] = []
        let frame: [UInt8]? = state.withLock { s in
            guard s.outboxHead < s.outbox.count else { return nil }
            let f = s.outbox[s.outboxHead]
            s.outboxHead += 1
            s.outboxBytes -= f.count
            if s.outboxHead == s.outbox.count {
                s.outbox.removeAll(keepingCapacity: true)
                s.outboxHead = 0
            }
            if s.outboxBytes <= options.outboxLimit {
                ready = s.writers
                s.writers = []
            }
            return f
        }
        for w in ready { w.resume() }
        return frame
    }

    fileprivate var isAborted: Bool { state.withLock { $0.aborted } }

    fileprivate var inboxHasRoom: Bool { state.withLock { $0.inboxBytes < options.inboxLimit } }

    fileprivate func opened(_ result: Result<String?, any Error>) {
        let waiter = state.withLock { s -> CheckedContinuation<String?, any Error>? in
            defer { s.opened = nil }
            return s.opened
        }
        waiter?.resume(with: result)
    }

    fileprivate func deliver(_ message: WebSocketReader.Message) {
        let waiter = state.withLock { s -> CheckedContinuation<WebSocketReader.Message?, any Error>? in
            if let r = s.reader {
                s.reader = nil
                return r
            }
            s.inbox.append(message)
            s.inboxBytes += Self.size(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// The thread is done: wakes everyone waiting, with `error` when the end was not clean.
    fileprivate func finish(_ error: (any Error)?) {
        let (opened, reader, writers, failure) = state.withLock { s in
            s.finished = true
            if let error, s.failure == nil { s.failure = error }
            if s.wakeFD >= 0 {
                Glibc.close(s.wakeFD)
                s.wakeFD = -1
            }
            defer { s.opened = nil; s.reader = nil; s.writers = [] }
            return (s.opened, s.reader, s.writers, s.failure)
        }
        Glibc.close(wakeRead)
        opened?.resume(throwing: failure ?? WebSocketError.closed)
        if let failure { reader?.resume(throwing: failure) } else { reader?.resume(returning: nil) }
        for w in writers { w.resume(throwing: failure ?? WebSocketError.closed) }
    }

    fileprivate var wakeReadFD: Int32 { wakeRead }
}

/// The connection's thread: connects, upgrades, then moves frames until the end. Lives on
/// that one thread only, with the CURL handle it owns.
private struct ConnectionWorker {
    let connection: WebSocketConnection
    var options: WebSocketConnection.Options { connection.options }

    init(connection: WebSocketConnection) { self.connection = connection }

    mutating func run() {
        guard let easy = curl_easy_init() else {
            connection.finish(WebSocketError.connect("curl_easy_init failed"))
            return
        }
        var blobs: [UnsafeMutableRawPointer] = []
        defer {
            curl_easy_cleanup(easy)
            for b in blobs { free(b) }
        }
        let socket: Int32
        var leftover: [UInt8]
        let chosen: String?
        do {
            socket = try connect(easy, &blobs)
            (chosen, leftover) = try handshake(easy, socket)
        } catch {
            connection.opened(.failure(error))
            connection.finish(error)
            return
        }
        connection.opened(.success(chosen))
        do {
            try exchange(easy, socket, leftover: &leftover)
            connection.finish(nil)
        } catch {
            connection.finish(error)
        }
    }

    // MARK: Connecting

    private func connect(_ easy: UnsafeMutableRawPointer, _ blobs: inout [UnsafeMutableRawPointer]) throws(WebSocketError) -> Int32 {
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        func set(_ code: CURLcode, _ what: String) throws(WebSocketError) {
            guard code == CURLE_OK else { throw .connect("cannot set \(what): \(String(cString: curl_easy_strerror(code)))") }
        }
        try set(yopf_curl_set_str(easy, CURLOPT_URL, options.url), "the URL")
        try set(yopf_curl_set_long(easy, CURLOPT_CONNECT_ONLY, 1), "connect-only mode")
        // HTTP/1.1 only: ALPN must not pick h2, the upgrade is an HTTP/1.1 mechanism.
        try set(yopf_curl_set_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)), "HTTP/1.1")
        _ = yopf_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = yopf_curl_set_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = yopf_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        _ = yopf_curl_set_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        let tls = options.tls
        _ = yopf_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        _ = yopf_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        func blob(_ option: CURLoption, _ bytes: [UInt8], _ what: String) throws(WebSocketError) {
            guard let copy = malloc(max(bytes.count, 1)) else { throw .connect("out of memory") }
            blobs.append(copy)
            bytes.withUnsafeBytes { if let base = $0.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) } }
            var b = curl_blob(data: copy, len: bytes.count, flags: UInt32(CURL_BLOB_COPY))
            try set(yopf_curl_set_blob(easy, option, &b), what)
        }
        if let ca = tls.caPEM { try blob(CURLOPT_CAINFO_BLOB, ca, "the certificate authority") }
        if let cert = tls.clientCertificatePEM {
            try blob(CURLOPT_SSLCERT_BLOB, cert, "the client certificate")
            _ = yopf_curl_set_str(easy, CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPEM {
            try blob(CURLOPT_SSLKEY_BLOB, key, "the client key")
            _ = yopf_curl_set_str(easy, CURLOPT_SSLKEYTYPE, "PEM")
        }
        let rc = curl_easy_perform(easy)
        guard rc == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw .connect(detail.isEmpty ? String(cString: curl_easy_strerror(rc)) : detail)
        }
        _ = yopf_curl_set_ptr(easy, CURLOPT_ERRORBUFFER, nil)
        var socket: curl_socket_t = -1
        guard yopf_curl_get_socket(easy, &socket) == CURLE_OK, socket >= 0 else {
            throw .connect("libcurl did not hand out the connection's socket")
        }
        return socket
    }

    /// Sends the upgrade request and reads the answer; returns the chosen subprotocol and the
    /// bytes that came after the head (the first frames).
    private func handshake(_ easy: UnsafeMutableRawPointer, _ socket: Int32) throws(WebSocketError) -> (String?, [UInt8]) {
        let deadline = ContinuousClock.now + .milliseconds(options.handshakeTimeoutMilliseconds)
        let handshake = WebSocketHandshake(protocols: options.protocols)
        let request = handshake.request(host: WebSocketConnection.hostHeader(options.url), target: options.target, extraHeaders: options.headers)
        var offset = 0
        while offset < request.count {
            let n = try sendSome(easy, request, from: offset)
            offset += n
            if n == 0 { try waitFor(socket, events: Int16(POLLOUT), until: deadline) }
        }
        var received: [UInt8] = []
        while true {
            guard let chunk = try recvSome(easy) else { throw .handshake("the server closed the connection before answering") }
            if chunk.isEmpty {
                try waitFor(socket, events: Int16(POLLIN), until: deadline)
                continue
            }
            received.append(contentsOf: chunk)
            guard let (head, length) = try HTTPResponseHead.parse(received) else { continue }
            let rest = Array(received[length...])
            if head.status != 101 {
                throw .refused(status: head.status, headers: head.headers, body: try readBody(easy, socket, head: head, start: rest, deadline: deadline))
            }
            return (try handshake.verify(head), rest)
        }
    }

    private func readBody(_ easy: UnsafeMutableRawPointer, _ socket: Int32, head: HTTPResponseHead, start: [UInt8], deadline: ContinuousClock.Instant) throws(WebSocketError) -> [UInt8] {
        var body = HTTPBodyReader(head: head)
        if body.push(start[...]) { return body.body }
        while true {
            let chunk: [UInt8]?
            do {
                chunk = try recvSome(easy)
                if chunk?.isEmpty == true { try waitFor(socket, events: Int16(POLLIN), until: deadline) }
            } catch {
                return body.body  // the error message is what matters, take what came
            }
            guard let chunk else { return body.body }
            if body.push(chunk[...]) { return body.body }
        }
    }

    // MARK: Frames

    private func exchange(_ easy: UnsafeMutableRawPointer, _ socket: Int32, leftover: inout [UInt8]) throws(WebSocketError) {
        var reader = WebSocketReader(maxMessageSize: options.maxMessageSize)
        var control: [[UInt8]] = []  // our answers to pings and to a close: sent before queued data
        var sending: [UInt8] = []
        var sendingOffset = 0
        var sendingIsClose = false
        var closeSent = false, closeReceived = false
        var closeDeadline: ContinuousClock.Instant? = nil

        func handle(_ messages: [WebSocketReader.Message]) {
            for m in messages {
                switch m {
                case .ping(let p):
                    control.append(WebSocketFrame(opcode: .pong, payload: p).encoded(mask: WebSocketFrame.randomMask()))
                case .pong:
                    break
                case .close(let code, _):
                    guard !closeReceived else { continue }
                    closeReceived = true
                    if !closeSent {
                        // Echo the code (RFC 6455 §5.5.1); 1005 means none was sent, so send none.
                        let payload = code == 1005 ? [] : WebSocketFrame.closePayload(code: code)
                        control.append(WebSocketFrame(opcode: .close, payload: payload).encoded(mask: WebSocketFrame.randomMask()))
                    }
                    connection.deliver(m)
                case .text, .binary:
                    if !closeReceived { connection.deliver(m) }
                }
            }
        }
        func violation(_ e: WebSocketProtocolError) throws(WebSocketError) -> Never {
            // Best effort: tell the peer why before hanging up.
            let frame = WebSocketFrame(opcode: .close, payload: WebSocketFrame.closePayload(code: e.closeCode, reason: e.message))
            _ = try? sendSome(easy, frame.encoded(mask: WebSocketFrame.randomMask()), from: 0)
            throw .protocolViolation(e)
        }

        if !leftover.isEmpty {
            do { handle(try reader.push(leftover)) } catch { try violation(error) }
            leftover = []
        }
        while true {
            if connection.isAborted { return }
            // Read while there is room for what arrives.
            var eof = false
            while !closeReceived && connection.inboxHasRoom {
                guard let chunk = try recvSome(easy) else { eof = true; break }
                if chunk.isEmpty { break }
                do { handle(try reader.push(chunk)) } catch { try violation(error) }
            }
            if eof {
                if !closeReceived { connection.deliver(.close(code: 1006, reason: "the connection ended without a close frame")) }
                return
            }
            // Write: our control answers first, then queued frames (none once the peer closed).
            while true {
                if sendingOffset == sending.count {
                    if let next = control.first {
                        control.removeFirst()
                        sending = next
                    } else if !closeReceived && !closeSent, let next = connection.takeFrame() {
                        sending = next
                    } else {
                        sending = []
                        sendingOffset = 0
                        break
                    }
                    sendingOffset = 0
                    sendingIsClose = sending.first.map { $0 & 0x0F == WebSocketFrame.Opcode.close.rawValue } ?? false
                }
                let n = try sendSome(easy, sending, from: sendingOffset)
                if n == 0 { break }
                sendingOffset += n
                if sendingOffset == sending.count && sendingIsClose {
                    closeSent = true
                    closeDeadline = ContinuousClock.now + .milliseconds(options.closeTimeoutMilliseconds)
                }
            }
            if closeSent && closeReceived { return }
            if let closeDeadline, ContinuousClock.now >= closeDeadline { return }
            // Sleep until the socket or a task needs us.
            var events: Int16 = 0
            if !closeReceived && connection.inboxHasRoom { events |= Int16(POLLIN) }
            if sendingOffset < sending.count { events |= Int16(POLLOUT) }
            // A socket with nothing asked of it stays out of the poll: a hang-up would wake us
            // in a loop while the reader has not made room yet.
            var fds = [pollfd(fd: events == 0 ? -1 : socket, events: events, revents: 0), pollfd(fd: connection.wakeReadFD, events: Int16(POLLIN), revents: 0)]
            let timeout: Int32 = closeDeadline.map { d in Int32(clamping: max(1, (d - ContinuousClock.now).milliseconds)) } ?? 1000
            let rc = poll(&fds, 2, timeout)
            if rc < 0 && errno != EINTR { throw .transport("poll failed: \(String(cString: strerror(errno)))") }
            if fds[1].revents & Int16(POLLIN) != 0 { drainWakePipe() }
            if fds[0].revents & Int16(POLLERR | POLLNVAL) != 0 && events & Int16(POLLIN) == 0 {
                throw .transport("the connection's socket failed")
            }
        }
    }

    // MARK: Socket helpers

    /// Bytes sent (0 when the socket would block).
    private func sendSome(_ easy: UnsafeMutableRawPointer, _ bytes: [UInt8], from offset: Int) throws(WebSocketError) -> Int {
        var sent = 0
        let rc = bytes.withUnsafeBytes { raw in
            curl_easy_send(easy, raw.baseAddress.map { $0 + offset }, bytes.count - offset, &sent)
        }
        if rc == CURLE_AGAIN { return 0 }
        guard rc == CURLE_OK else { throw .transport("sending failed: \(String(cString: curl_easy_strerror(rc)))") }
        return sent
    }

    /// Received bytes; empty when nothing is there now; nil at the end of the connection.
    private func recvSome(_ easy: UnsafeMutableRawPointer) throws(WebSocketError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var n = 0
        let rc = buffer.withUnsafeMutableBytes { curl_easy_recv(easy, $0.baseAddress, $0.count, &n) }
        if rc == CURLE_AGAIN { return [] }
        guard rc == CURLE_OK else { throw .transport("receiving failed: \(String(cString: curl_easy_strerror(rc)))") }
        if n == 0 { return nil }
        buffer.removeSubrange(n...)
        return buffer
    }

    /// Waits until the socket is ready for `events`, the deadline passes, or the connection is aborted.
    private func waitFor(_ socket: Int32, events: Int16, until deadline: ContinuousClock.Instant) throws(WebSocketError) {
        if connection.isAborted { throw .closed }
        let left = (deadline - ContinuousClock.now).milliseconds
        if left <= 0 { throw .handshake("the server did not answer within \(options.handshakeTimeoutMilliseconds / 1000) s") }
        var fds = [pollfd(fd: socket, events: events, revents: 0), pollfd(fd: connection.wakeReadFD, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 2, Int32(clamping: min(left, 1000)))
        if fds[1].revents & Int16(POLLIN) != 0 { drainWakePipe() }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(connection.wakeReadFD, &buffer, buffer.count) > 0 {}
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
