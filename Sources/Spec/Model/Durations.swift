/// Durations as operator files write them: `30s`, `10m`, `1h30m`, `500ms`.
///
/// A bare number is refused on purpose: `timeout: 30` could mean seconds or minutes, and
/// the file should say which.
public enum Durations {
    /// The longest duration an operator file may give (`Limits.longestDuration`).
    public static var maximum: Duration { Limits.longestDuration }

    /// Parses `1h30m`, `10m`, `30s`, `250ms` (units h, m, s, ms; each at most once, in that
    /// order; whole numbers). Nil when the text is not such a duration.
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var i = 0
        var nextUnit = 0
        var millis: Int64 = 0
        while i < scalars.count {
            var number: Int64 = 0
            var digits = 0
            while i < scalars.count, let d = digit(scalars[i]) {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2 else { return nil }
                number = a
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            var unit = ""
            while i < scalars.count, digit(scalars[i]) == nil {
                unit.unicodeScalars.append(scalars[i])
                i += 1
            }
            guard let found = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { return nil }
            nextUnit = found + 1
            let (part, o3) = number.multipliedReportingOverflow(by: units[found].1)
            let (sum, o4) = millis.addingReportingOverflow(part)
            guard !o3, !o4 else { return nil }
            millis = sum
        }
        return .milliseconds(millis)
    }

    /// The duration written back the way a file would say it, e.g. `1h30m`, `45s`, `0s`.
    /// Saturates: any `Duration` can be formatted, however long.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        var millis = overflow ? (seconds < 0 ? Int64.min : Int64.max) : scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000).partialValue
        if millis == 0 { return "0s" }
        var text = ""
        if millis < 0 {
            text = "-"
            millis = millis == Int64.min ? Int64.max : -millis
        }
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1_000), ("ms", 1)] where millis >= size {
            text += "\(millis / size)\(unit)"
            millis %= size
        }
        return text
    }

    private static func digit(_ s: Unicode.Scalar) -> Int64? {
        guard s.value >= 48, s.value <= 57 else { return nil }
        return Int64(s.value - 48)
    }
}
