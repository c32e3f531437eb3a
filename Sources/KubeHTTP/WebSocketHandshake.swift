import Platform

/// The opening handshake of a WebSocket client (RFC 6455 §4): the upgrade request, and the
/// checks of the server's answer. Pure bytes in and out, so it is tested without a network.
struct WebSocketHandshake: Sendable {
    /// `Sec-WebSocket-Key`: 16 random bytes in base64, fresh per connection.
    let key: String
    /// Subprotocols offered, in order of preference.
    let protocols: [String]

    init(protocols: [String], key: String? = nil) {
        self.protocols = protocols
        if let key {
            self.key = key
        } else {
            var g = SystemRandomNumberGenerator()
            self.key = Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &g) })
        }
    }

    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// What a server must answer in `Sec-WebSocket-Accept` for `key`.
    static func acceptValue(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// The request bytes: `GET target HTTP/1.1` with the upgrade headers and `extraHeaders`
    /// (authorization, user agent).
    func request(host: String, target: String, extraHeaders: [(String, String)]) -> [UInt8] {
        var lines = [
            "GET \(target) HTTP/1.1",
            "Host: \(host)",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: \(key)",
            "Sec-WebSocket-Version: 13",
        ]
        if !protocols.isEmpty { lines.append("Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))") }
        for (name, value) in extraHeaders { lines.append("\(name): \(value)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Checks a `101 Switching Protocols` answer and returns the subprotocol the server chose
    /// (nil when it chose none).
    func verify(_ head: HTTPResponseHead) throws(WebSocketError) -> String? {
        guard head.status == 101 else { throw .handshake("the server answered \(head.status) instead of 101 Switching Protocols") }
        guard head.header("upgrade")?.lowercased() == "websocket" else {
            throw .handshake("the server's answer has no \"Upgrade: websocket\" header")
        }
        let connection = (head.header("connection") ?? "").lowercased().split(separator: ",").map { $0.trimmingBlanks() }
        guard connection.contains("upgrade") else { throw .handshake("the server's answer has no \"Connection: Upgrade\" header") }
        guard head.header("sec-websocket-accept") == Self.acceptValue(for: key) else {
            throw .handshake("the server's Sec-WebSocket-Accept does not match the key sent (a proxy in the way that does not speak WebSocket?)")
        }
        guard let chosen = head.header("sec-websocket-protocol"), !chosen.isEmpty else { return nil }
        guard protocols.contains(chosen) else {
            throw .handshake("the server chose the subprotocol \"\(chosen)\", which was not offered (offered: \(protocols.joined(separator: ", ")))")
        }
        return chosen
    }
}

/// The status line and headers of an HTTP/1.1 response.
struct HTTPResponseHead: Sendable, Equatable {
    var status: Int
    /// Names in lower case, in the order received.
    var headers: [(String, String)]

    static func == (a: HTTPResponseHead, b: HTTPResponseHead) -> Bool {
        a.status == b.status && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }

    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }

    /// The largest head accepted: a server sending more is not one to talk to.
    static let maxSize = 64 << 10

    /// Parses a head from the start of `bytes`. Returns nil while the blank line that ends it
    /// has not arrived, else the head and how many bytes it took.
    static func parse(_ bytes: [UInt8]) throws(WebSocketError) -> (head: HTTPResponseHead, length: Int)? {
        guard let end = headEnd(bytes) else {
            if bytes.count > maxSize { throw .handshake("the server's response head is larger than \(maxSize) bytes") }
            return nil
        }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.") else {
            throw .handshake("the server did not answer with HTTP/1.1 (\(quoted(lines.first)))")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw .handshake("malformed status line \(quoted(statusLine))") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingBlanks()))
        }
        return (HTTPResponseHead(status: status, headers: headers), end)
    }

    private static func quoted(_ line: Substring?) -> String {
        guard let line else { return "empty response" }
        return "\"" + String(line.prefix(80)) + "\""
    }

    /// The index just after `\r\n\r\n`.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}

/// Reads the body of a refused upgrade (the `Status` the API server explains itself with):
/// `Content-Length`, chunked, or until the connection ends.
struct HTTPBodyReader: Sendable {
    enum Framing: Sendable, Equatable {
        case length(Int)
        case chunked
        case untilClose
    }

    let framing: Framing
    /// Bytes kept at most; a longer body is cut (it only feeds an error message).
    let limit: Int
    private(set) var raw: [UInt8] = []

    init(head: HTTPResponseHead, limit: Int = 1 << 20) {
        self.limit = limit
        if head.header("transfer-encoding")?.lowercased().includes("chunked") == true {
            framing = .chunked
        } else if let n = head.header("content-length").flatMap({ Int($0) }), n >= 0 {
            framing = .length(n)
        } else {
            framing = .untilClose
        }
    }

    /// Adds bytes; true once the body is complete.
    mutating func push(_ bytes: ArraySlice<UInt8>) -> Bool {
        raw.append(contentsOf: bytes)
        switch framing {
        case .length(let n): return raw.count >= n || raw.count >= limit
        case .chunked: return decodeChunks().complete || raw.count >= limit
        case .untilClose: return raw.count >= limit
        }
    }

    /// The body as far as it arrived.
    var body: [UInt8] {
        switch framing {
        case .length(let n): return Array(raw.prefix(n))
        case .chunked: return decodeChunks().body
        case .untilClose: return raw
        }
    }

    private func decodeChunks() -> (body: [UInt8], complete: Bool) {
        var body: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = crlf(from: i) else { return (body, false) }
            let sizeText = String(decoding: raw[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingBlanks(), radix: 16), size >= 0 else { return (body, true) }
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            guard raw.count >= start + size else {
                body.append(contentsOf: raw[start...])
                return (body, false)
            }
            body.append(contentsOf: raw[start..<(start + size)])
            i = start + size + 2
            if i > raw.count { return (body, false) }
        }
    }

    private func crlf(from i: Int) -> Int? {
        var j = i
        while j + 1 < raw.count {
            if raw[j] == 13 && raw[j + 1] == 10 { return j }
            j += 1
        }
        return nil
    }
}

/// A WebSocket connection that could not be opened or that broke.
enum WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TCP or TLS could not be set up (libcurl's words).
    case connect(String)
    /// The server's answer to the upgrade request is not a valid WebSocket handshake.
    case handshake(String)
    /// The server answered the upgrade with an HTTP error (its explanation is in `body`).
    case refused(status: Int, headers: [(String, String)], body: [UInt8])
    /// The peer broke the framing rules.
    case protocolViolation(WebSocketProtocolError)
    /// Reading or writing the socket failed.
    case transport(String)
    /// The connection was closed (by `abort`, cancellation, or after the close handshake).
    case closed

    static func == (a: WebSocketError, b: WebSocketError) -> Bool { a.description == b.description }

    var description: String {
        switch self {
        case .connect(let m): return "cannot connect: \(m)"
        case .handshake(let m): return "WebSocket handshake failed: \(m)"
        case .refused(let status, _, let body): return "the server refused the WebSocket upgrade with \(status): \(String(decoding: body.prefix(300), as: UTF8.self))"
        case .protocolViolation(let e): return e.description
        case .transport(let m): return "WebSocket connection failed: \(m)"
        case .closed: return "the WebSocket connection is closed"
        }
    }
}

