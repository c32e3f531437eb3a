/// A small scan of jq text that knows only strings (with `\( )` interpolation), comments
/// and brackets.
///
/// yopf wraps each expression in `( … )` inside a larger program. An expression whose
/// brackets balance cannot escape that wrapper (so `1), (2` is rejected instead of silently
/// changing the program), and an unbalanced one gets a precise error instead of libjq's
/// confused report about the wrapper's text. Templates use the same scan to find the `}}`
/// that ends a `${{ … }}` (an object literal may contain `}}` itself).
struct ExpressionScanner {
    enum Outcome: Equatable {
        /// The scan reached `end` with everything balanced.
        case balanced
        /// (Templates) the `}}` that ends the expression starts at this index.
        case closedAt(Int)
        /// A problem at this byte index.
        case failure(message: String, index: Int)
        /// (Templates) the end came before `}}`.
        case unterminated
    }

    private enum Frame {
        case bracket(UInt8, Int)
        case string(Int)
        case interpolation(Int)
    }

    /// Scans `bytes[start..<end]`. With `stopAtDoubleBrace`, a `}}` outside any bracket or
    /// string ends the scan.
    static func scan(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, stopAtDoubleBrace: Bool = false) -> Outcome {
        let end = end ?? bytes.count
        var stack: [Frame] = []
        var i = start
        while i < end {
            let c = bytes[i]
            if case .string = stack.last {
                if c == UInt8(ascii: "\\") {
                    if i + 1 < end, bytes[i + 1] == UInt8(ascii: "(") {
                        stack.append(.interpolation(i))
                    }
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { stack.removeLast() }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "#"):
                while i < end, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "\""):
                stack.append(.string(i))
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                stack.append(.bracket(c, i))
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if stopAtDoubleBrace, stack.isEmpty, c == UInt8(ascii: "}"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "}") {
                    return .closedAt(i)
                }
                let closing = Character(Unicode.Scalar(c))
                switch stack.last {
                case nil:
                    return .failure(message: "syntax error: unmatched '\(closing)'", index: i)
                case .bracket(let opener, let at)?:
                    guard matches(opener, c) else {
                        return .failure(
                            message: "syntax error: '\(closing)' does not match the '\(Character(Unicode.Scalar(opener)))' at byte \(at)",
                            index: i)
                    }
                    stack.removeLast()
                case .interpolation(let at)?:
                    guard c == UInt8(ascii: ")") else {
                        return .failure(
                            message: "syntax error: '\(closing)' does not match the '\\(' at byte \(at)", index: i)
                    }
                    stack.removeLast()
                case .string?:
                    break  // unreachable: strings are handled above
                }
            default:
                break
            }
            i += 1
        }
        if stopAtDoubleBrace { return .unterminated }
        switch stack.last {
        case nil: return .balanced
        case .string(let at)?: return .failure(message: "syntax error: unterminated string", index: at)
        case .interpolation(let at)?: return .failure(message: "syntax error: '\\(' is never closed", index: at)
        case .bracket(let opener, let at)?:
            return .failure(message: "syntax error: '\(Character(Unicode.Scalar(opener)))' is never closed", index: at)
        }
    }

    private static func matches(_ opener: UInt8, _ closer: UInt8) -> Bool {
        switch opener {
        case UInt8(ascii: "("): return closer == UInt8(ascii: ")")
        case UInt8(ascii: "["): return closer == UInt8(ascii: "]")
        default: return closer == UInt8(ascii: "}")
        }
    }
}
