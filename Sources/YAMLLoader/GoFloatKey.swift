/// The text a float mapping key becomes, as sigs.k8s.io/yaml writes it:
/// Go's `strconv.FormatFloat(key, 'g', -1, 32)` (shortest digits of the value as a 32-bit
/// float, exponent form when the exponent is below -4 or at least 6), with
/// `.inf`/`-.inf`/`.nan` for the non-finite values. Used for tagged keys and aliases of
/// floats (plain keys stay their text): `!!float 1.5: a` has the key "1.5" and
/// `!!float 1e6: a` the key "1e+06".
enum GoFloatKey {
    static func format(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let single = Float(value)
        if single.isInfinite { return single < 0 ? "-.inf" : ".inf" }
        let negative = single.sign == .minus
        var (digits, point) = decimalDigits(of: single.magnitude)
        guard !digits.isEmpty else { return negative ? "-0" : "0" }
        let exponent = point - 1
        var out = negative ? "-" : ""
        if exponent < -4 || exponent >= 6 {
            out.append(digits.removeFirst())
            if !digits.isEmpty { out += "." + String(digits) }
            out += exponent < 0 ? "e-" : "e+"
            let e = String(abs(exponent))
            out += e.count < 2 ? "0" + e : e
        } else {
            let count = digits.count
            if point <= 0 {
                out += "0." + String(repeating: "0", count: -point) + String(digits)
            } else if point >= count {
                out += String(digits) + String(repeating: "0", count: point - count)
            } else {
                out += String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            }
        }
        return out
    }

    /// The shortest round-trip decimal digits of a finite non-negative float (no leading
    /// or trailing zeros) and the position of the decimal point relative to them.
    private static func decimalDigits(of value: Float) -> ([Character], Int) {
        // Swift's description is the shortest round-trip form, e.g. "1.5", "1e-05", "1.5e+20".
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first.map(String.init) ?? text
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let halves = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = halves.first.map(String.init) ?? ""
        let fraction = halves.count > 1 ? String(halves[1]) : ""
        var digits = Array(integer + fraction)
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, point)
    }
}
