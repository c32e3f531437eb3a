import Platform

/// Wall-clock time and ages as kubectl prints them (timestamps themselves: Platform's `Timestamp`).
public enum WallClock {
    @Sendable public static func nowSeconds() -> Int { Timestamp.nowSeconds() }

    /// Seconds since the epoch of `2024-05-01T10:00:00Z` (fractions and offsets accepted); nil if malformed.
    public static func parse(_ text: String) -> Int? { Timestamp.parseSeconds(text) }

    /// Ages as kubectl prints them: `45s`, `3m12s`, `2h5m`, `3d4h`, `400d`, `2y30d`.
    public static func humanDuration(_ seconds: Int) -> String {
        if seconds < 0 { return "<invalid>" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        let days = hours / 24
        if hours < 24 * 365 * 8 { return days % 365 == 0 ? "\(days / 365)y" : "\(days / 365)y\(days % 365)d" }
        return "\(days / 365)y"
    }
}
