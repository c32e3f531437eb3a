extension JSON {
    /// Compact JSON text (or indented with two spaces when `pretty`).
    /// `sortedKeys` orders object keys bytewise, for stable output in tests and hashes.
    public func serialized(pretty: Bool = false, sortedKeys: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, sortedKeys: sortedKeys, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact JSON as UTF-8 bytes.
    public func serializedBytes(pretty: Bool = false, sortedKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, sortedKeys: sortedKeys, indent: 0)
        return out
    }

    /// Writes without recursion (a value may be nested thousands of levels deep): the
    /// arrays and objects being written wait on a stack of their own.
    public func write(into out: inout [UInt8], pretty: Bool = false, sortedKeys: Bool = false, indent: Int = 0) {
        enum Open {
            case array([JSON], next: Int, indent: Int)
            case object(JSONObject, keys: [String], next: Int, indent: Int)
        }
        var stack: [Open] = []
        var value = self
        var level = indent
        while true {
            // Write `value`'s scalar, or open its container and its first member.
            switch value {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            case .int(let i): out.append(contentsOf: String(i).utf8)
            case .double(let d): out.append(contentsOf: JSON.format(d).utf8)
            case .string(let s): JSON.writeString(s, into: &out)
            case .array(let a):
                if a.isEmpty {
                    out.append(contentsOf: "[]".utf8)
                } else {
                    out.append(UInt8(ascii: "["))
                    stack.append(.array(a, next: 0, indent: level))
                }
            case .object(let o):
                if o.isEmpty {
                    out.append(contentsOf: "{}".utf8)
                } else {
                    out.append(UInt8(ascii: "{"))
                    stack.append(.object(o, keys: sortedKeys ? o.keys.sorted() : Array(o.keys), next: 0, indent: level))
                }
            }
            // Find the next member to write, closing the containers that are done.
            var found = false
            while !found, let open = stack.popLast() {
                switch open {
                case .array(let a, let next, let at):
                    if next == a.count {
                        if pretty { JSON.newline(&out, at) }
                        out.append(UInt8(ascii: "]"))
                        continue
                    }
                    if next > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { JSON.newline(&out, at + 1) }
                    stack.append(.array(a, next: next + 1, indent: at))
                    value = a[next]
                    level = at + 1
                    found = true
                case .object(let o, let keys, let next, let at):
                    if next == keys.count {
                        if pretty { JSON.newline(&out, at) }
                        out.append(UInt8(ascii: "}"))
                        continue
                    }
                    if next > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { JSON.newline(&out, at + 1) }
                    JSON.writeString(keys[next], into: &out)
                    out.append(UInt8(ascii: ":"))
                    if pretty { out.append(UInt8(ascii: " ")) }
                    stack.append(.object(o, keys: keys, next: next + 1, indent: at))
                    value = o[keys[next]]!
                    level = at + 1
                    found = true
                }
            }
            if !found { return }
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(0x0A)
        for _ in 0..<(indent * 2) { out.append(0x20) }
    }

    /// A double as JSON: integral values without a fraction, non-finite values as `null`.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int(d)) }
        return d.description
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The string quoted as a JSON string literal.
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { serialized() }
}
