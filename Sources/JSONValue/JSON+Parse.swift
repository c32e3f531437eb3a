/// A JSON text that could not be parsed, with where it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the input.
    public let offset: Int
    /// 1-based line and column of `offset`.
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSON {
    /// Nesting deeper than this is refused. kube-apiserver's JSON decoder allows 10,000
    /// levels in an object; a list or a watch event adds a few around it. The parser does
    /// not recurse (it keeps its own stack), and neither do serialization, equality, the
    /// jq conversions or merge patches, so depth costs heap, not thread stack; only the
    /// release of a value recurses (in the Swift runtime), which `ThreadStacks` in
    /// Platform makes room for.
    public static let maximumDepth = 10_100

    /// Parses one JSON text (RFC 8259). Whitespace around it is allowed, anything else is not.
    public static func parse(_ text: String) throws -> JSON {
        var text = text
        return try text.withUTF8 { buffer throws in try parse(buffer) }
    }

    /// Parses one JSON text from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        try bytes.withUnsafeBufferPointer { buffer throws in try parse(buffer) }
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws -> JSON {
        try parse(buffer, truncatingBeyond: nil)
    }

    /// Parses, with every array or object nested deeper than `depth` replaced by null
    /// (its text is still checked for balance), and no depth error: for reading the
    /// `metadata` of an object that cannot be taken whole, to name it.
    public static func parse(_ bytes: [UInt8], truncatingBeyond depth: Int) throws -> JSON {
        try bytes.withUnsafeBufferPointer { buffer throws in try parse(buffer, truncatingBeyond: depth) }
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, truncatingBeyond depth: Int?) throws -> JSON {
        var parser = JSONParser(buffer)
        parser.truncateBeyond = depth
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < buffer.count {
            throw parser.error("unexpected data after the JSON value")
        }
        return value
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// When set, containers deeper than this become null instead of failing.
    var truncateBeyond: Int?

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let offset = min(offset ?? position, bytes.count)
        var line = 1
        var column = 1
        for i in 0..<offset {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(offset: offset, line: line, column: column, message: message)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// An array or object being read: what it holds so far (and an object's next key).
    private enum Open {
        case array([JSON])
        case object(JSONObject, key: String)
    }

    /// One value, without recursion: containers being read wait on `stack`.
    mutating func parseValue() throws -> JSON {
        var stack: [Open] = []
        while true {
            // Read the start of a value: a scalar, an empty container, or a new open one.
            guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
            var value: JSON
            switch bytes[position] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[position] == UInt8(ascii: "{")
                if let limit = truncateBeyond, stack.count >= limit {
                    try skipContainer()
                    value = .null
                    break
                }
                guard stack.count < JSON.maximumDepth else {
                    throw error("nesting deeper than \(JSON.maximumDepth) levels")
                }
                position += 1
                skipWhitespace()
                let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if position < bytes.count, bytes[position] == closer {
                    position += 1
                    value = isObject ? .object([:]) : .array([])
                    break
                }
                if isObject {
                    stack.append(.object(JSONObject(), key: try parseKey()))
                } else {
                    stack.append(.array([]))
                }
                skipWhitespace()
                continue
            case UInt8(ascii: "\""): value = .string(try parseString())
            case UInt8(ascii: "t"): try expectWord("true"); value = .bool(true)
            case UInt8(ascii: "f"): try expectWord("false"); value = .bool(false)
            case UInt8(ascii: "n"): try expectWord("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = try parseNumber()
            default: throw error("unexpected character '\(printable(bytes[position]))', expected a value")
            }
            // A value is complete: put it in its container, closing containers that end.
            while true {
                guard let open = stack.popLast() else { return value }
                skipWhitespace()
                switch open {
                case .array(var elements):
                    elements.append(value)
                    guard position < bytes.count else { throw error("unexpected end of input in array") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        stack.append(.array(elements))
                    } else if bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        value = .array(elements)
                        continue
                    } else {
                        throw error("expected ',' or ']' in array")
                    }
                case .object(var members, let key):
                    members[key] = value
                    guard position < bytes.count else { throw error("unexpected end of input in object") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        stack.append(.object(members, key: try parseKey()))
                    } else if bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        value = .object(members)
                        continue
                    } else {
                        throw error("expected ',' or '}' in object")
                    }
                }
                break
            }
            skipWhitespace()
        }
    }

    /// `"key" :` (whitespace allowed around the colon).
    private mutating func parseKey() throws -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw error("expected a string key in object")
        }
        let key = try parseString()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw error("expected ':' after object key")
        }
        position += 1
        skipWhitespace()
        return key
    }

    /// Skips one array or object, checking only that its brackets pair up outside strings.
    private mutating func skipContainer() throws {
        let start = position
        var open: [UInt8] = []  // the closer each open bracket expects
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                _ = try parseString()
                continue
            case UInt8(ascii: "{"): open.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["): open.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard open.popLast() == bytes[position] else { throw error("mismatched '\(printable(bytes[position]))'") }
                if open.isEmpty {
                    position += 1
                    return
                }
            default: break
            }
            position += 1
        }
        throw error("unexpected end of input in a nested value", at: start)
    }

    private func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    mutating func expectWord(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        let w = word.utf8Start
        for i in 0..<count where bytes[position + i] != w[i] {
            throw error("invalid literal, expected '\(word)'")
        }
        position += count
    }

    mutating func parseString() throws -> String {
        let start = position
        position += 1
        // Fast path: no escapes.
        var end = position
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[position..<end])
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                position = end + 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            end += 1
        }
        var out: [UInt8] = Array(bytes[position..<end])
        position = end
        while true {
            guard position < bytes.count else { throw error("unterminated string", at: start) }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                return s
            }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { throw error("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                let us = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(us).utf8))
            default:
                throw error("invalid escape '\\\(printable(e))'", at: position - 2)
            }
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
            position += 1
        }
        return v
    }

    mutating func parseNumber() throws -> JSON {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
            throw error("invalid number", at: start)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let digits = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            guard position > digits else { throw error("invalid number: digits expected after '.'", at: start) }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            let digits = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            guard position > digits else { throw error("invalid number: digits expected in exponent", at: start) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw error("invalid number", at: start) }
        return .double(d)
    }
}
