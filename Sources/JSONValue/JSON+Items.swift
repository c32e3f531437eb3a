/// Reading a Kubernetes list answer item by item, so that one item that cannot be decoded
/// (nested deeper than `JSON.maximumDepth`, invalid UTF-8) does not make the whole list
/// unreadable: the client takes the others and names the one it skips. Called by KubeHTTP
/// only after the whole body failed to parse, so the common path stays one parse.
extension JSON {
    /// An item of `key` that could not be decoded.
    public struct ItemFailure: Sendable {
        /// Its position in the array.
        public var index: Int
        /// The item with arrays and objects below `metadata` level cut off (nil when even
        /// that cannot be read), to name it.
        public var top: JSON?
        public var error: JSONParseError
    }

    /// Parses an object whose member `key` is an array, each element on its own: elements
    /// that fail are left out of the array and returned as failures. The rest of the text
    /// must parse as usual.
    public static func parse(_ bytes: [UInt8], itemsOf key: String) throws -> (value: JSON, failures: [ItemFailure]) {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            return try parser.parseObject(itemsOf: key)
        }
    }
}

extension JSONParser {
    mutating func parseObject(itemsOf itemsKey: String) throws -> (value: JSON, failures: [JSON.ItemFailure]) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { throw error("expected an object") }
        position += 1
        var members = JSONObject()
        var failures: [JSON.ItemFailure] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return (.object(members), [])
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            position += 1
            skipWhitespace()
            if key == itemsKey, position < bytes.count, bytes[position] == UInt8(ascii: "[") {
                var items: [JSON] = []
                try eachElement { slice, index in
                    do {
                        items.append(try JSON.parse(slice, truncatingBeyond: nil))
                    } catch let error as JSONParseError {
                        let top = try? JSON.parse(slice, truncatingBeyond: 2)
                        failures.append(JSON.ItemFailure(index: index, top: top, error: error))
                    }
                }
                members[key] = .array(items)
            } else {
                members[key] = try parseValue()
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; break }
            throw error("expected ',' or '}' in object")
        }
        skipWhitespace()
        if position < bytes.count { throw error("unexpected data after the JSON value") }
        return (.object(members), failures)
    }

    /// Calls `body` with the bytes of each element of the array at `position`, found by
    /// bracket balance (strings skipped), without decoding them.
    private mutating func eachElement(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            skipWhitespace()
            let start = position
            try skipElement()
            try body(UnsafeBufferPointer(rebasing: bytes[start..<position]), index)
            index += 1
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return }
            throw error("expected ',' or ']' in array")
        }
    }

    /// Moves past one value: a container by bracket balance, a string, or the run of
    /// characters of a number or literal (checked when the element is parsed).
    private mutating func skipElement() throws {
        guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            let start = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return
                    }
                default: break
                }
                position += 1
            }
            throw error("unexpected end of input in a value", at: start)
        case UInt8(ascii: "\""):
            try skipString()
        default:
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D, 0x09: return
                default: position += 1
                }
            }
        }
    }

    /// Moves past a string without decoding it (escapes skipped, UTF-8 not checked).
    private mutating func skipString() throws {
        let start = position
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"): position += 2
            case UInt8(ascii: "\""):
                position += 1
                return
            default: position += 1
            }
        }
        throw error("unterminated string", at: start)
    }
}
