/// How an untagged plain scalar is read, the way kubectl reads it.
///
/// kubectl converts YAML to JSON with sigs.k8s.io/yaml, which decodes with go-yaml v2
/// (YAML 1.1 rules) and then marshals to JSON. This type reproduces go-yaml v2's
/// `resolve` for plain scalars:
/// - booleans: exactly `y Y yes Yes YES true True TRUE on On ON` and
///   `n N no No NO false False FALSE off Off OFF` (so `yes`, `on`, `y` are `true`,
///   but `yEs` or `tRUE` are strings);
/// - null: the empty scalar, `~`, `null`, `Null`, `NULL`;
/// - integers: Go's `ParseInt(s, 0, 64)` after removing every `_`: optional sign, then
///   `0x`/`0X` hex, `0o`/`0O` or a leading `0` octal, `0b`/`0B` binary, or decimal;
///   unsigned values above `Int.max` become doubles (JSON numbers);
/// - floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (so `08` is 8.0 and
///   `1e3` is 1000.0); a float that overflows (`1e999`) stays a string, as in go-yaml;
/// - `.inf`, `-.inf`, `+.inf`, `.nan` (in their three spellings) are non-finite doubles:
///   JSON has no such numbers, so the loader rejects them as values (kubectl fails
///   too, in its JSON marshaller) and spells them `.inf`/`-.inf`/`.nan` as keys;
/// - `<<` is the merge key;
/// - everything else, timestamps included, is a string (go-yaml hands timestamps to
///   untyped targets as strings).
/// One deliberate difference from kubectl: a plain mapping key is not resolved at all and
/// stays its text (`on:` is "on", not "true"; see `StreamLoader.scalar`). Tagged keys and
/// aliases of typed values are spelled as sigs.k8s.io/yaml does (`GoFloatKey`).
enum PlainScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// Above `Int.max`: go-yaml's uint64, a JSON number (a double here).
    case unsigned(UInt64)
    case string
    case merge

    static func resolve(_ text: String) -> PlainScalar {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
             UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
            return words[text] ?? .string
        case UInt8(ascii: "<"):
            return text == "<<" ? .merge : .string
        case UInt8(ascii: "."):
            if let word = words[text] { return word }
            if isDotFloat(utf8), let d = Double(text), d.isFinite { return .double(d) }
            return .string
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            if let word = words[text] { return word }
            return number(utf8.filter { $0 != UInt8(ascii: "_") })
        default:
            return .string
        }
    }

    private static let words: [String: PlainScalar] = {
        var table: [String: PlainScalar] = [:]
        for w in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { table[w] = .bool(true) }
        for w in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { table[w] = .bool(false) }
        for w in ["~", "null", "Null", "NULL"] { table[w] = .null }
        for w in [".nan", ".NaN", ".NAN"] { table[w] = .double(.nan) }
        for w in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { table[w] = .double(.infinity) }
        for w in ["-.inf", "-.Inf", "-.INF"] { table[w] = .double(-.infinity) }
        return table
    }()

    /// Go's ParseInt(s, 0, 64), then ParseUint(s, 0, 64), then the YAML float pattern.
    private static func number(_ s: [UInt8]) -> PlainScalar {
        var digits = s[...]
        var negative = false
        var signed = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            signed = true
            digits = digits.dropFirst()
        }
        if let magnitude = parseMagnitude(digits) {
            if negative {
                if magnitude <= UInt64(Int.max) { return .int(-Int(magnitude)) }
                if magnitude == UInt64(Int.max) + 1 { return .int(Int.min) }
            } else if magnitude <= UInt64(Int.max) {
                return .int(Int(magnitude))
            } else if !signed {
                return .unsigned(magnitude)
            }
        }
        if isFloat(s), let d = Double(String(decoding: s, as: UTF8.self)), d.isFinite {
            return .double(d)
        }
        return .string
    }

    /// The unsigned value of Go base-0 integer syntax; nil when malformed or above UInt64.max.
    private static func parseMagnitude(_ s: ArraySlice<UInt8>) -> UInt64? {
        guard let first = s.first else { return nil }
        var base: UInt64 = 10
        var body = s
        if first == UInt8(ascii: "0"), s.count > 1 {
            let marker = s[s.startIndex + 1] | 0x20  // lower case
            switch marker {
            case UInt8(ascii: "x"): base = 16; body = s.dropFirst(2)
            case UInt8(ascii: "o"): base = 8; body = s.dropFirst(2)
            case UInt8(ascii: "b"): base = 2; body = s.dropFirst(2)
            default: base = 8; body = s.dropFirst(1)
            }
        }
        guard !body.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in body {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: base)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, go-yaml's float pattern.
    static func isFloat(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < s.count, isDigit(s[i]) { i += 1 }
        let intDigits = i - intStart
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            if intDigits == 0 && i == fracStart { return false }
        } else if intDigits == 0 {
            return false
        }
        if i < s.count, s[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            if i == expStart { return false }
        }
        return i == s.count
    }

    /// A scalar starting with `.` is a float when Go's ParseFloat takes it: `.5`, `.5e3`.
    private static func isDotFloat(_ s: [UInt8]) -> Bool {
        s.count > 1 && isFloat(s)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
