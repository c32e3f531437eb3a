import JSONValue

/// How a string is spelled in emitted YAML: plain, double-quoted, or a literal block.
enum ScalarText {
    /// The string on one line: plain when that reads back as the same string, else
    /// double-quoted with escapes.
    static func inline(_ s: String) -> String {
        isPlainSafe(s) ? s : doubleQuoted(s)
    }

    /// Whether `s` written plain loads back as the string `s` in block context.
    static func isPlainSafe(_ s: String) -> Bool {
        let chars = Array(s.unicodeScalars)
        guard let first = chars.first, let last = chars.last else { return false }
        guard PlainScalar.resolve(s) == .string else { return false }  // "yes", "1", "null", ".5"
        guard chars.allSatisfy({ isPrintable($0) && $0 != "\t" }) else { return false }
        if first == " " || last == " " || last == ":" { return false }
        switch first {
        case "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "{", "[", "}", "]", ",":
            return false
        case "-", "?", ":":
            // An indicator only when followed by a space or nothing (`- x`, `-`).
            if chars.count == 1 || chars[1] == " " { return false }
        default:
            break
        }
        if s.hasPrefix("---") || s.hasPrefix("...") { return false }  // document markers
        for i in 1..<chars.count {
            if chars[i] == " " && (chars[i - 1] == ":" || (i + 1 < chars.count && chars[i + 1] == "#")) { return false }
        }
        return true
    }

    /// A literal block (`|`) for a multi-line string, when it reads back exactly:
    /// printable text, no carriage returns, no line ending in whitespace.
    static func literal(_ s: String) -> (header: String, lines: [Substring])? {
        guard s.contains("\n") else { return nil }
        guard s.unicodeScalars.allSatisfy({ $0 == "\n" || $0 == "\t" || isPrintable($0) }) else { return nil }
        var body = Substring(s)
        var trailingBreaks = 0
        while body.hasSuffix("\n") {
            body = body.dropLast()
            trailingBreaks += 1
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let firstText = lines.first(where: { !$0.isEmpty }) else { return nil }
        for line in lines where line.hasSuffix(" ") || line.hasSuffix("\t") { return nil }
        if firstText.hasPrefix("\t") { return nil }
        var header = "|"
        if firstText.hasPrefix(" ") { header += "2" }  // the indentation cannot be guessed
        switch trailingBreaks {
        case 0: header += "-"
        case 1: break
        default: header += "+"
        }
        return (header, lines + Array(repeating: "", count: max(0, trailingBreaks - 1)))
    }

    /// JSON-like double quoting; characters YAML does not allow raw are escaped.
    static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += "\\x" + hex(c.value, width: 2)
                } else if c.value <= 0xFFFF {
                    out += "\\u" + hex(c.value, width: 4)
                } else {
                    out += "\\U" + hex(c.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    /// Characters libyaml accepts raw in a scalar, minus the ones YAML 1.1 reads as
    /// line breaks (NEL, LS, PS) and the byte-order mark.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20...0x7E, 0xA0...0x2027, 0x202A...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
