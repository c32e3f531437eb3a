import Platform

/// The five fields of a cron schedule as sets of values, and the search for the wall-clock
/// minutes they match — on a clock without a zone (local seconds, see `TimeZoneRules`).
///
/// The search jumps field by field (to the next matching month, day, hour, minute), so a
/// schedule that runs once a year is found in a few dozen steps, and one that runs only on
/// February 29 in under a hundred. `CronExpression` maps the minutes found to instants.
struct CalendarPattern: Sendable, Hashable {
    var minutes: FieldSet    // 0-59
    var hours: FieldSet      // 0-23
    var days: FieldSet       // 1-31
    var months: FieldSet     // 1-12
    var weekdays: FieldSet   // 0-6, Sunday 0
    /// The day-of-month / day-of-week field was `*` or `?` (no step). When neither was, a
    /// day matches when either field does (robfig/cron and Vixie cron); otherwise both must.
    var daysStarred: Bool
    var weekdaysStarred: Bool
    /// The minute or hour field starts with `*` or `?`: the schedule follows elapsed time
    /// across clock changes instead of fixed wall-clock times (see `CronExpression`).
    var followsElapsedTime: Bool

    /// How far the searches look: the longest gap between two runs of a schedule that runs
    /// at all is 8 years (February 29 across 2100).
    static let searchYears = 10

    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let dom = days.contains(day)
        let dow = weekdays.contains(Timestamp.weekday(ofDay: Timestamp.daysFromCivil(year, month, day)))
        return daysStarred || weekdaysStarred ? dom && dow : dom || dow
    }

    /// The first matching minute at or after `start` and before `limit` (local seconds).
    func nextLocal(atOrAfter start: Int, before limit: Int? = nil) -> Int? {
        var c = Cursor(localSeconds: Self.floorDiv(start + 59, 60) * 60)
        let lastYear = c.year + Self.searchYears
        while c.year <= lastYear {
            if let limit, c.localSeconds >= limit { return nil }
            guard months.contains(c.month) else {
                if let m = months.next(atOrAfter: c.month + 1) {
                    c.month = m
                } else {
                    c.year += 1
                    c.month = months.first
                }
                (c.day, c.hour, c.minute) = (1, 0, 0)
                continue
            }
            guard matchesDay(year: c.year, month: c.month, day: c.day) else {
                c.nextDay()
                continue
            }
            guard let hour = hours.next(atOrAfter: c.hour) else {
                c.nextDay()
                continue
            }
            if hour != c.hour { (c.hour, c.minute) = (hour, 0) }
            guard let minute = minutes.next(atOrAfter: c.minute) else {
                c.nextHour()
                continue
            }
            c.minute = minute
            if let limit, c.localSeconds >= limit { return nil }
            return c.localSeconds
        }
        return nil
    }

    /// The last matching minute at or before `end` and not before `floor` (local seconds).
    func previousLocal(atOrBefore end: Int, notBefore floor: Int? = nil) -> Int? {
        var c = Cursor(localSeconds: Self.floorDiv(end, 60) * 60)
        let firstYear = c.year - Self.searchYears
        while c.year >= firstYear {
            if let floor, c.localSeconds < floor { return nil }
            guard months.contains(c.month) else {
                if let m = months.previous(atOrBefore: c.month - 1) {
                    c.month = m
                } else {
                    c.year -= 1
                    c.month = months.last
                }
                c.day = Timestamp.daysInMonth(year: c.year, month: c.month)
                (c.hour, c.minute) = (23, 59)
                continue
            }
            guard matchesDay(year: c.year, month: c.month, day: c.day) else {
                c.previousDay()
                continue
            }
            guard let hour = hours.previous(atOrBefore: c.hour) else {
                c.previousDay()
                continue
            }
            if hour != c.hour { (c.hour, c.minute) = (hour, 59) }
            guard let minute = minutes.previous(atOrBefore: c.minute) else {
                c.previousHour()
                continue
            }
            c.minute = minute
            if let floor, c.localSeconds < floor { return nil }
            return c.localSeconds
        }
        return nil
    }

    /// True when some month of the schedule has one of its days (February counts 29), or
    /// the day-of-week field decides; false means the schedule never runs (`0 0 30 2 *`).
    var canRun: Bool {
        guard !daysStarred, weekdaysStarred else { return true }
        for month in 1...12 where months.contains(month) {
            if let first = days.next(atOrAfter: 1), first <= Timestamp.daysInMonth(year: 2000, month: month) { return true }
        }
        return false
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// A wall-clock minute being moved by the searches.
    private struct Cursor {
        var year, month, day, hour, minute: Int

        init(localSeconds: Int) {
            let days = CalendarPattern.floorDiv(localSeconds, 86400)
            let second = localSeconds - days * 86400
            (year, month, day) = Timestamp.civilFromDays(days)
            hour = second / 3600
            minute = second % 3600 / 60
        }

        var localSeconds: Int {
            Timestamp.daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60
        }

        mutating func nextDay() {
            (hour, minute) = (0, 0)
            day += 1
            if day > Timestamp.daysInMonth(year: year, month: month) {
                day = 1
                month += 1
                if month > 12 { (month, year) = (1, year + 1) }
            }
        }

        mutating func nextHour() {
            minute = 0
            hour += 1
            if hour > 23 { nextDay() }
        }

        mutating func previousDay() {
            (hour, minute) = (23, 59)
            day -= 1
            if day < 1 {
                month -= 1
                if month < 1 { (month, year) = (12, year - 1) }
                day = Timestamp.daysInMonth(year: year, month: month)
            }
        }

        mutating func previousHour() {
            minute = 59
            hour -= 1
            if hour < 0 { previousDay() }
        }
    }
}

/// A set of small numbers (0-63) as bits, with "next member at or after" in one step.
struct FieldSet: Sendable, Hashable {
    var bits: UInt64 = 0

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    mutating func insert(_ value: Int) {
        bits |= 1 << UInt64(value)
    }

    func next(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let from = max(value, 0)
        let rest = bits >> UInt64(from)
        return rest == 0 ? nil : from + rest.trailingZeroBitCount
    }

    func previous(atOrBefore value: Int) -> Int? {
        guard value >= 0 else { return nil }
        let upTo = value >= 63 ? bits : bits & ((1 << UInt64(value + 1)) - 1)
        return upTo == 0 ? nil : 63 - upTo.leadingZeroBitCount
    }

    /// The smallest member (the set is never empty once parsed).
    var first: Int { bits.trailingZeroBitCount }
    var last: Int { 63 - bits.leadingZeroBitCount }
    var values: [Int] { (0..<64).filter(contains) }
}
