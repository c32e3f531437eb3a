/// RFC 6455 framing, for the exec client (libcurl 7.88 has no WebSocket support, so
/// yopf does the upgrade and the framing itself on a connect-only connection).
public struct WebSocketFrame: Sendable, Equatable {
    public enum Opcode: UInt8, Sendable {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA

        var isControl: Bool { rawValue & 0x8 != 0 }
    }

    public var fin: Bool
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8]) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The frame on the wire. Clients must mask (RFC 6455 §5.3); servers must not.
    /// `mask` is a 4-byte key; a key of another length is replaced by a fresh random one.
    public func encoded(mask maskKey: [UInt8]?) -> [UInt8] {
        let mask = maskKey.map { $0.count == 4 ? $0 : Self.randomMask() }
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let n = payload.count
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(n) >> UInt64(shift)) & 0xFF)) }
        }
        if let mask {
            out.append(contentsOf: mask)
            for (i, b) in payload.enumerated() { out.append(b ^ mask[i & 3]) }
        } else {
            out.append(contentsOf: payload)
        }
        return out
    }

    /// A close frame's payload: the status code and a reason (cut to fit the 125-byte
    /// limit of control frames, at a character boundary so it stays valid UTF-8).
    public static func closePayload(code: UInt16, reason: String = "") -> [UInt8] {
        var text = Substring(reason)
        while text.utf8.count > 123 { text.removeLast() }
        return [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(text.utf8)
    }

    /// A fresh masking key. RFC 6455 §10.3 asks for an unpredictable one per frame, so that
    /// a script cannot choose the bytes an intermediary sees.
    public static func randomMask() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        let v = g.next() as UInt32
        return [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    /// Close codes a peer may send (RFC 6455 §7.4): 1004–1006 and 1015 are reserved for
    /// reporting and must never be on the wire; 3000–4999 belong to applications.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}

/// What went wrong reading frames; the connection must be closed with `closeCode`.
public struct WebSocketProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1002 protocol error, 1007 invalid data, 1009 too big.
    public var closeCode: UInt16
    public var description: String { "WebSocket protocol error (\(closeCode)): \(message)" }
}

/// Reads frames from a byte stream, reassembles fragmented messages and hands control
/// frames through at once (they may arrive between the fragments of a message).
public struct WebSocketReader: Sendable {
    /// A whole message, or a control frame.
    public enum Message: Sendable, Equatable {
        case text([UInt8])
        case binary([UInt8])
        case ping([UInt8])
        case pong([UInt8])
        /// Status code (1005 when none was sent) and reason.
        case close(code: UInt16, reason: String)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketFrame.Opcode?
    /// Messages larger than this are refused (1009): a hostile peer cannot exhaust memory.
    public let maxMessageSize: Int
    /// A server sending masked frames is a protocol error; so is a client sending unmasked ones.
    public let expectMasked: Bool

    public init(maxMessageSize: Int = 16 << 20, expectMasked: Bool = false) {
        self.maxMessageSize = maxMessageSize
        self.expectMasked = expectMasked
    }

    /// Adds bytes from the connection and returns the messages now complete.
    public mutating func push(_ bytes: [UInt8]) throws(WebSocketProtocolError) -> [Message] {
        buffer.append(contentsOf: bytes)
        var out: [Message] = []
        while let frame = try nextFrame() {
            if let m = try assemble(frame) { out.append(m) }
        }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return out
    }

    private mutating func nextFrame() throws(WebSocketProtocolError) -> WebSocketFrame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let b0 = buffer[start], b1 = buffer[start + 1]
        if b0 & 0x70 != 0 { throw WebSocketProtocolError(message: "reserved bits set without a negotiated extension", closeCode: 1002) }
        guard let opcode = WebSocketFrame.Opcode(rawValue: b0 & 0x0F) else {
            throw WebSocketProtocolError(message: "unknown opcode \(b0 & 0x0F)", closeCode: 1002)
        }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        if masked != expectMasked {
            throw WebSocketProtocolError(message: masked ? "the server masked a frame" : "the client sent an unmasked frame", closeCode: 1002)
        }
        var length = Int(b1 & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var n: UInt64 = 0
            for i in 0..<8 { n = n << 8 | UInt64(buffer[start + 2 + i]) }
            guard n <= UInt64(maxMessageSize) else { throw WebSocketProtocolError(message: "frame of \(n) bytes is too big", closeCode: 1009) }
            length = Int(n)
            offset = 10
        }
        if opcode.isControl && (length > 125 || !fin) {
            throw WebSocketProtocolError(message: "control frames must be whole and at most 125 bytes", closeCode: 1002)
        }
        guard length <= maxMessageSize else { throw WebSocketProtocolError(message: "frame of \(length) bytes is too big", closeCode: 1009) }
        var mask: [UInt8]? = nil
        if masked {
            guard available >= offset + 4 else { return nil }
            mask = Array(buffer[(start + offset)..<(start + offset + 4)])
            offset += 4
        }
        guard available >= offset + length else { return nil }
        var payload = Array(buffer[(start + offset)..<(start + offset + length)])
        if let mask { for i in payload.indices { payload[i] ^= mask[i & 3] } }
        start += offset + length
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }

    private mutating func assemble(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> Message? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close:
            if frame.payload.isEmpty { return .close(code: 1005, reason: "") }
            guard frame.payload.count >= 2 else { throw WebSocketProtocolError(message: "close frame with a 1-byte payload", closeCode: 1002) }
            let code = UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
            guard WebSocketFrame.isValidCloseCode(code) else {
                throw WebSocketProtocolError(message: "close code \(code) is not one a peer may send", closeCode: 1002)
            }
            guard let reason = String(validating: frame.payload[2...], as: UTF8.self) else {
                throw WebSocketProtocolError(message: "close reason is not valid UTF-8", closeCode: 1007)
            }
            return .close(code: code, reason: reason)
        case .text, .binary:
            guard fragmentOpcode == nil else { throw WebSocketProtocolError(message: "a new message started inside a fragmented one", closeCode: 1002) }
            if frame.fin { return try whole(frame.opcode, frame.payload) }
            fragmentOpcode = frame.opcode
            fragments = frame.payload
            return nil
        case .continuation:
            guard let opcode = fragmentOpcode else { throw WebSocketProtocolError(message: "a continuation frame without a message", closeCode: 1002) }
            guard fragments.count + frame.payload.count <= maxMessageSize else {
                throw WebSocketProtocolError(message: "message larger than \(maxMessageSize) bytes", closeCode: 1009)
            }
            fragments.append(contentsOf: frame.payload)
            guard frame.fin else { return nil }
            let whole = fragments
            fragments = []
            fragmentOpcode = nil
            return try self.whole(opcode, whole)
        }
    }

    /// A complete data message; text must be UTF-8 (RFC 6455 §8.1), checked once it is whole
    /// because a character may be split across fragments.
    private func whole(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) throws(WebSocketProtocolError) -> Message {
        guard opcode == .text else { return .binary(payload) }
        guard String(validating: payload, as: UTF8.self) != nil else {
            throw WebSocketProtocolError(message: "text message is not valid UTF-8", closeCode: 1007)
        }
        return .text(payload)
    }
}
