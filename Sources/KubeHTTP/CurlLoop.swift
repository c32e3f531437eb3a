import CCurl
import Platform
import Glibc
import Synchronization

/// One thread that owns a libcurl multi handle and every transfer on it.
///
/// Why one thread: libcurl handles must not be used from two threads at once, and the
/// multi interface is what gives HTTP/2 multiplexing and connection reuse across all
/// requests of the process. Swift tasks never touch a CURL handle: they submit a
/// `Submission` (plain Sendable values and callbacks) and wait on a continuation that
/// the loop thread resumes. The only cross-thread call is `curl_multi_wakeup`, which
/// libcurl documents as safe to call from any thread.
final class CurlLoop: Sendable {
    /// What a task hands to the loop: the request and what to do with its bytes.
    struct Submission: Sendable {
        var id: UInt64
        var request: HTTPRequest
        /// Called on the loop thread with the status line's code and headers once known.
        var onHeaders: @Sendable (Int, [(String, String)]) -> Void
        /// Called on the loop thread with each piece of the body as it arrives.
        var onData: @Sendable ([UInt8]) -> Void
        /// Called once on the loop thread when the transfer ends (nil = success).
        var onDone: @Sendable (HTTPTransportError?) -> Void
    }

    private enum Command: Sendable {
        case start(Submission)
        case cancel(UInt64)
    }

    private let pending = Mutex<[Command]>([])
    private let nextID = Atomic<UInt64>(1)
    // The multi handle is created in init and afterwards touched only by the loop thread,
    // except for curl_multi_wakeup (thread-safe by libcurl's contract).
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer

    /// The process-wide loop, started on first use.
    static let shared = CurlLoop()

    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        multi = curl_multi_init()!
        _ = yopf_curl_multi_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = yopf_curl_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<CurlLoop>.fromOpaque(raw!).takeRetainedValue().run()
        }, box)
        precondition(rc == 0, "yopf: cannot start the HTTP client thread (pthread_create: \(rc))")
        pthread_detach(thread)
    }

    func makeID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func submit(_ submission: Submission) {
        pending.withLock { $0.append(.start(submission)) }
        curl_multi_wakeup(multi)
    }

    func cancel(_ id: UInt64) {
        pending.withLock { $0.append(.cancel(id)) }
        curl_multi_wakeup(multi)
    }

    // MARK: - The loop thread

    private func run() -> Never {
        var transfers: [UInt64: Transfer] = [:]
        var byHandle: [UnsafeMutableRawPointer: UInt64] = [:]
        while true {
            let commands = pending.withLock { list -> [Command] in
                let taken = list
                list.removeAll(keepingCapacity: true)
                return taken
            }
            for command in commands {
                switch command {
                case .start(let submission):
                    do {
                        let transfer = try Transfer(submission)
                        transfers[submission.id] = transfer
                        byHandle[transfer.easy] = submission.id
                        curl_multi_add_handle(multi, transfer.easy)
                    } catch {
                        submission.onDone(error)
                    }
                case .cancel(let id):
                    if let transfer = transfers.removeValue(forKey: id) {
                        byHandle[transfer.easy] = nil
                        curl_multi_remove_handle(multi, transfer.easy)
                        transfer.finish(.cancelled)
                    }
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let id = byHandle.removeValue(forKey: easy), let transfer = transfers.removeValue(forKey: id)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if code == CURLE_OK {
                    transfer.finish(nil)
                } else {
                    transfer.finish(.curl(code: Int(code.rawValue), message: transfer.errorText(code)))
                }
            }
            // Sleep until a socket is ready, a timeout of libcurl's fires, or a wakeup.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

/// One request in flight; exists only on the loop thread.
private final class Transfer {
    let easy: UnsafeMutableRawPointer
    let submission: Submission
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var body: [UInt8]
    private var bodyOffset = 0
    private var status = 0
    private var responseHeaders: [(String, String)] = []
    private var headersDelivered = false
    // libcurl writes into this buffer whenever it likes, so it must not move: heap, not an array.
    private let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()
    private var finished = false
    private var blobs: [UnsafeMutableRawPointer] = []

    typealias Submission = CurlLoop.Submission

    init(_ submission: Submission) throws(HTTPTransportError) {
        guard let easy = curl_easy_init() else { throw .curl(code: -1, message: "curl_easy_init failed") }
        self.easy = easy
        self.submission = submission
        self.body = submission.request.body ?? []
        try configure(submission.request)
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(easy)
        for blob in blobs { free(blob) }
        errorBuffer.deallocate()
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPTransportError) {
        guard code == CURLE_OK else {
            throw .curl(code: Int(code.rawValue), message: "cannot set \(what): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func configure(_ request: HTTPRequest) throws(HTTPTransportError) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(yopf_curl_set_str(easy, CURLOPT_URL, request.url), "URL")
        try check(yopf_curl_set_str(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        if request.method == "HEAD" { _ = yopf_curl_set_long(easy, CURLOPT_NOBODY, 1) }
        _ = yopf_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = yopf_curl_set_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = yopf_curl_set_long(easy, CURLOPT_PIPEWAIT, 1)
        _ = yopf_curl_set_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = yopf_curl_set_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = yopf_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds)
        if let total = request.timeoutMilliseconds { _ = yopf_curl_set_long(easy, CURLOPT_TIMEOUT_MS, total) }
        if let lowSpeed = request.stallSeconds {
            // A watch that sends nothing (not even a bookmark) for this long is dead.
            _ = yopf_curl_set_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1)
            _ = yopf_curl_set_long(easy, CURLOPT_LOW_SPEED_TIME, lowSpeed)
        }

        // Body: always through the read callback so that large bodies are not copied twice.
        if request.body != nil {
            _ = yopf_curl_set_long(easy, CURLOPT_UPLOAD, request.method == "PUT" ? 1 : 0)
            if request.method != "PUT" {
                _ = yopf_curl_set_long(easy, CURLOPT_POST, 1)
            }
            _ = yopf_curl_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = yopf_curl_set_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count))
            _ = yopf_curl_set_read(easy) { buffer, size, count, user in
                let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
                let room = size * count
                let n = min(room, t.body.count - t.bodyOffset)
                if n > 0 {
                    t.body.withUnsafeBytes { src in
                        buffer!.withMemoryRebound(to: UInt8.self, capacity: n) { dst in
                            dst.update(from: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + t.bodyOffset, count: n)
                        }
                    }
                    t.bodyOffset += n
                }
                return n
            }
            _ = yopf_curl_set_ptr(easy, CURLOPT_READDATA, me)
            // The method was forced by CUSTOMREQUEST; POST/UPLOAD only pick the body path.
            try check(yopf_curl_set_str(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }

        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        headerList = list
        _ = yopf_curl_set_slist(easy, CURLOPT_HTTPHEADER, list)

        // TLS: verified unless the kubeconfig says otherwise.
        let tls = request.tls
        _ = yopf_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        _ = yopf_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        if let ca = tls.caPEM { try setBlob(CURLOPT_CAINFO_BLOB, ca, "certificate authority") }
        if let cert = tls.clientCertificatePEM {
            try setBlob(CURLOPT_SSLCERT_BLOB, cert, "client certificate")
            _ = yopf_curl_set_str(easy, CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPEM {
            try setBlob(CURLOPT_SSLKEY_BLOB, key, "client key")
            _ = yopf_curl_set_str(easy, CURLOPT_SSLKEYTYPE, "PEM")
        }

        _ = yopf_curl_set_header_fn(easy) { buffer, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: n), as: UTF8.self)
            t.headerLine(line)
            return n
        }
        _ = yopf_curl_set_ptr(easy, CURLOPT_HEADERDATA, me)
        _ = yopf_curl_set_write(easy) { buffer, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            t.deliverHeaders()
            t.submission.onData(Array(UnsafeRawBufferPointer(start: buffer, count: n)))
            return n
        }
        _ = yopf_curl_set_ptr(easy, CURLOPT_WRITEDATA, me)
    }

    private func setBlob(_ option: CURLoption, _ bytes: [UInt8], _ what: String) throws(HTTPTransportError) {
        // CURL_BLOB_COPY makes libcurl keep its own copy; our buffer may go right after.
        guard let copy = malloc(max(bytes.count, 1)) else { throw .curl(code: -1, message: "out of memory") }
        blobs.append(copy)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        var blob = curl_blob(data: copy, len: bytes.count, flags: UInt32(CURL_BLOB_COPY))
        try check(yopf_curl_set_blob(easy, option, &blob), what)
    }

    private func headerLine(_ line: String) {
        let trimmed = line.trimmingBlanks()
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after a redirect or 100-continue): start over.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            responseHeaders.removeAll()
        } else if trimmed.isEmpty, status >= 200 {
            // The end of a final response's headers: a watch learns its status now, not
            // with its first event, which may be minutes away (redirects are not followed).
            deliverHeaders()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingBlanks()
            responseHeaders.append((name, value))
        }
    }

    private func deliverHeaders() {
        guard !headersDelivered else { return }
        headersDelivered = true
        submission.onHeaders(status, responseHeaders)
    }

    func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    func finish(_ error: HTTPTransportError?) {
        guard !finished else { return }
        finished = true
        if error == nil { deliverHeaders() }
        submission.onDone(error)
    }
}
