import CYAML

/// The source as Unicode scalars, for positions libyaml's events do not give directly.
///
/// libyaml marks count characters, not bytes. A scalar with an anchor or a tag starts
/// its event at the `&`/`!`, yet callers need the column of the value itself, so this
/// walks past the properties. Built lazily: most documents have no tagged scalars.
struct SourceText {
    private let bytes: [UInt8]
    private var scalars: [Unicode.Scalar]?

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func characters() -> [Unicode.Scalar] {
        if let scalars { return scalars }
        var all = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        if all.first == "\u{FEFF}" { all.removeFirst() }  // libyaml does not count a BOM
        scalars = all
        return all
    }

    /// The position of the first character after the anchor and tag that open a node at
    /// `start`; nil when that cannot be found before `end`.
    mutating func valueStart(from start: yaml_mark_t, to end: yaml_mark_t) -> SourcePosition? {
        let chars = characters()
        var i = start.index
        var line = start.line
        var column = start.column
        let limit = min(end.index, chars.count)
        var afterBlank = true
        while i < limit {
            let c = chars[i]
            switch c {
            case "&", "!":
                while i < limit, !Self.isBlankOrBreak(chars[i]) {
                    i += 1
                    column += 1
                }
                afterBlank = false
            case " ", "\t":
                i += 1
                column += 1
                afterBlank = true
            case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
                i += (c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n") ? 2 : 1
                line += 1
                column = 0
                afterBlank = true
            case "#" where afterBlank:
                while i < limit, !Self.isBreak(chars[i]) {
                    i += 1
                    column += 1
                }
            default:
                return SourcePosition(line: line + 1, column: column + 1)
            }
        }
        return nil
    }

    /// The line and column of a byte offset (for libyaml reader errors, which give bytes).
    func position(ofByte offset: Int) -> SourcePosition {
        var line = 1
        var column = 1
        for byte in bytes.prefix(max(0, offset)) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1  // count the lead byte of each character only
            }
        }
        return SourcePosition(line: line, column: column)
    }

    private static func isBreak(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
    }

    private static func isBlankOrBreak(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || isBreak(c)
    }
}
