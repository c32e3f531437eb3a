import Platform

/// The `delayed` time of a progress record: when a retry may run, written with
/// microseconds so that backoffs shorter than a second (`initial: 100ms`) are honoured
/// (whole seconds would stretch every retry to at least a second). Wall time of the
/// runtime's clock, so a restarted process (or `yopf test`'s virtual clock) reads it the
/// same way.
enum RetryTime {
    /// The timestamp `delay` from now.
    static func after(_ delay: Duration, clock: any RuntimeClock) -> String {
        Timestamp.formatMicro(microseconds: clock.wallMicroseconds + max(0, delay.microseconds))
    }

    /// How long until `text`; nil when it has passed or cannot be read (run now).
    static func remaining(until text: String, clock: any RuntimeClock) -> Duration? {
        guard let at = microseconds(text) else { return nil }
        let left = at - clock.wallMicroseconds
        return left > 0 ? .microseconds(left) : nil
    }

    /// `2026-11-24T01:02:03.123456Z` (or without a fraction) as microseconds since the epoch.
    static func microseconds(_ text: String) -> Int? {
        guard let seconds = Timestamp.parseSeconds(text) else { return nil }
        var micros = 0
        let bytes = Array(text.utf8)
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var digits = 0
            var i = 20
            while i < bytes.count, (48...57).contains(bytes[i]) {
                if digits < 6 { micros = micros * 10 + Int(bytes[i] - 48); digits += 1 }
                i += 1
            }
            while digits < 6 { micros *= 10; digits += 1 }
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? nil : scaled + micros
    }
}
