import Glibc

/// Does a string contain a match of a regular expression written as Kubernetes writes
/// them (the `pattern` of an OpenAPI schema: Go's RE2 syntax)? The in-memory cluster's
/// schema validation asks; nothing else does.
///
/// It translates the pattern to a POSIX extended expression and runs glibc's regcomp and
/// regexec, which the static binary has anyway; Swift's Regex would add about 1 MB of
/// parser and engine to it (issue 15). What RE2 has and POSIX lacks is rewritten:
/// `\d \w \s` (and their negations) as bracket classes, `(?:` as a plain group, lazy
/// quantifiers as greedy ones (whether a match exists does not depend on laziness),
/// `\n \t \r \f \v \xHH \x{H…}` as the characters, `\A \z` as anchors. What cannot be
/// rewritten (Unicode classes `\p`, flags other than a leading `(?i)`, back-references,
/// which RE2 has none of either) makes the answer nil: the pattern is not understood.
/// glibc matches bytes here (a static binary has no UTF-8 locale to load): `.` and
/// `{n}` count a two-byte character as two, where RE2 counts one.
public enum PatternMatch {
    /// true or false when the pattern is understood; nil when it is not.
    public static func contains(_ string: String, pattern: String) -> Bool? {
        guard let (posix, ignoringCase) = translate(pattern) else { return nil }
        var regex = regex_t()
        let flags = REG_EXTENDED | REG_NOSUB | (ignoringCase ? REG_ICASE : 0)
        guard regcomp(&regex, posix, flags) == 0 else { return nil }
        defer { regfree(&regex) }
        // A NUL ends the C string: a string holding one is searched up to it, as far as
        // regexec can see; RE2 would see past it. Objects rarely hold NULs.
        return regexec(&regex, string, 0, nil, 0) == 0
    }

    /// The POSIX extended form of an RE2 pattern, and whether it began with `(?i)`.
    static func translate(_ pattern: String) -> (String, Bool)? {
        var chars = Array(pattern.unicodeScalars)
        var ignoringCase = false
        if chars.starts(with: Array("(?i)".unicodeScalars)) {
            ignoringCase = true
            chars.removeFirst(4)
        }
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                guard i + 1 < chars.count else { return nil }
                let (piece, next) = escape(chars, at: i + 1, inBracket: false)
                guard let piece else { return nil }
                out += piece
                i = next
                continue
            case "[":
                guard let (piece, next) = bracket(chars, at: i) else { return nil }
                out += piece
                i = next
                continue
            case "(":
                if i + 1 < chars.count, chars[i + 1] == "?" {
                    // Only a non-capturing group; named groups and flags are not understood.
                    guard i + 2 < chars.count, chars[i + 2] == ":" else { return nil }
                    out += "("
                    i += 3
                    continue
                }
                out += "("
            case "*", "+", "?", "}":
                out.unicodeScalars.append(c)
                // A lazy quantifier: drop its `?`.
                if i + 1 < chars.count, chars[i + 1] == "?", c != "}" || closesInterval(chars, i) { i += 1 }
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        return (out, ignoringCase)
    }

    /// Whether the `}` at i ends a repetition such as `{2,5}` (a `?` after it makes it
    /// lazy) rather than standing for itself.
    private static func closesInterval(_ chars: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0, chars[j] == "," || ("0"..."9").contains(chars[j]) { j -= 1 }
        return j >= 0 && j < i - 1 && chars[j] == "{"
    }

    /// An escape outside or inside a bracket expression, starting after the backslash:
    /// its POSIX text (inside a bracket: the members, without the brackets) and the index
    /// after it; nil text when it is not understood.
    private static func escape(_ chars: [Unicode.Scalar], at i: Int, inBracket: Bool) -> (String?, Int) {
        let c = chars[i]
        let classes: [Unicode.Scalar: (String, Bool)] = [
            "d": ("0-9", false), "D": ("0-9", true),
            "w": ("A-Za-z0-9_", false), "W": ("A-Za-z0-9_", true),
            "s": ("[:space:]", false), "S": ("[:space:]", true),
        ]
        if let (members, negated) = classes[c] {
            if inBracket { return (negated ? nil : members, i + 1) }
            return ((negated ? "[^" : "[") + members + "]", i + 1)
        }
        if let literal = literalEscape(chars, at: i) {
            return (inBracket ? bracketMember(literal.scalar) : quoted(literal.scalar), literal.next)
        }
        if !inBracket {
            switch c {
            case "A": return ("^", i + 1)
            case "z": return ("$", i + 1)
            case "b", "B": return ("\\" + String(c), i + 1)
            default: break
            }
        }
        return (nil, i + 1)
    }

    /// A character written as an escape: `\n`, `\x41`, `\x{263a}`, or a punctuation mark.
    private static func literalEscape(_ chars: [Unicode.Scalar], at i: Int) -> (scalar: Unicode.Scalar, next: Int)? {
        let c = chars[i]
        let controls: [Unicode.Scalar: Unicode.Scalar] = ["n": "\n", "t": "\t", "r": "\r", "f": "\u{0C}", "v": "\u{0B}", "a": "\u{07}"]
        if let control = controls[c] { return (control, i + 1) }
        if c == "x" {
            var j = i + 1
            var digits = ""
            if j < chars.count, chars[j] == "{" {
                j += 1
                while j < chars.count, chars[j] != "}" { digits.unicodeScalars.append(chars[j]); j += 1 }
                guard j < chars.count else { return nil }
                j += 1
            } else {
                while j < chars.count, digits.count < 2 { digits.unicodeScalars.append(chars[j]); j += 1 }
            }
            guard !digits.isEmpty, let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else { return nil }
            return (scalar, j)
        }
        // RE2 lets any punctuation be escaped to mean itself; letters and digits are classes
        // or back-references.
        if c.isASCII, !(c.properties.isAlphabetic || ("0"..."9").contains(c)) { return (c, i + 1) }
        return nil
    }

    /// A character outside brackets, escaped when POSIX would read it as an operator.
    private static func quoted(_ c: Unicode.Scalar) -> String {
        if "\\^$.|?*+()[]{}".unicodeScalars.contains(c) { return "\\" + String(c) }
        return String(c)
    }

    /// A character as a member of a bracket expression: `]`, `-`, `^` and `[` are placed
    /// by `bracket`, so they come back marked.
    private static func bracketMember(_ c: Unicode.Scalar) -> String {
        switch c {
        case "]": return "\u{0}]"
        case "-": return "\u{0}-"
        case "^": return "\u{0}^"
        case "[": return "\u{0}["
        default: return String(c)
        }
    }

    /// A bracket expression from its `[`: the POSIX form, with `]` first, `-` last and
    /// `^` not first, so none of them means anything but itself; and the index after it.
    private static func bracket(_ chars: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        var i = start + 1
        var negated = false
        if i < chars.count, chars[i] == "^" { negated = true; i += 1 }
        var members = ""
        var specials = Set<Unicode.Scalar>()
        var first = true
        while i < chars.count {
            let c = chars[i]
            if c == "]" && !first { break }
            first = false
            var piece: String
            if c == "\\" {
                guard i + 1 < chars.count else { return nil }
                let (text, next) = escape(chars, at: i + 1, inBracket: true)
                guard let text else { return nil }
                piece = text
                i = next
            } else if c == "[", i + 1 < chars.count, chars[i + 1] == ":" {
                // A POSIX class such as [:alpha:], which RE2 has too.
                var j = i + 2
                while j + 1 < chars.count, !(chars[j] == ":" && chars[j + 1] == "]") { j += 1 }
                guard j + 1 < chars.count else { return nil }
                piece = String(String.UnicodeScalarView(chars[i...(j + 1)]))
                i = j + 2
            } else {
                piece = bracketMember(c)
                i += 1
            }
            // A range: the member before `-` and the one after it.
            if i + 1 < chars.count, chars[i] == "-", chars[i + 1] != "]" {
                var high: Unicode.Scalar
                var next = i + 2
                if chars[i + 1] == "\\" {
                    guard let literal = literalEscape(chars, at: i + 2) else { return nil }
                    high = literal.scalar
                    next = literal.next
                } else {
                    high = chars[i + 1]
                }
                let low = piece.unicodeScalars.last!
                guard piece.unicodeScalars.count <= 2, low.value <= high.value else { return nil }
                // Ranges whose ends are POSIX-special are spelled as the set of their members.
                if "[]^-".unicodeScalars.contains(low) || "[]^-".unicodeScalars.contains(high) {
                    guard high.value - low.value < 256 else { return nil }
                    for v in low.value...high.value { members += place(bracketMember(Unicode.Scalar(v)!), into: &specials) }
                } else {
                    members += String(low) + "-" + String(high)
                }
                i = next
                continue
            }
            members += place(piece, into: &specials)
        }
        guard i < chars.count else { return nil }  // no closing `]`
        var out = negated ? "[^" : "["
        if specials.contains("]") { out += "]" }
        out += members
        if specials.contains("[") { out += "[" }
        if specials.contains("^") { out += "^" }
        if specials.contains("-") { out += "-" }
        if out == "[" || out == "[^" { return nil }  // an empty class
        return (out + "]", i + 1)
    }

    /// A member as written into the bracket: a marked special is kept for `bracket` to
    /// place, the rest is written where it stands.
    private static func place(_ member: String, into specials: inout Set<Unicode.Scalar>) -> String {
        guard member.unicodeScalars.first == "\u{0}" else { return member }
        specials.insert(member.unicodeScalars.last!)
        return ""
    }
}
