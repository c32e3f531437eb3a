import Platform

/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: the footer of a TZif file, which
/// says how the zone keeps time after the file's table ends (RFC 8536 §3.3, with its
/// extensions: rule times from -167 to 167 hours, and DST all year round).
///
/// Forms read: `std offset [dst [offset] [,start[/time],end[/time]]]`; names are three or
/// more letters or `<…>`-quoted (`<+0330>`); offsets are `[+-]hh[:mm[:ss]]`, counted *west*
/// of UTC as POSIX does (`CET-1` is UTC+1); dates are `Jn` (1–365, February 29 never
/// counted), `n` (0–365, counted) and `Mm.w.d` (day d of week w of month m, w = 5 the last).
/// Without an offset DST is one hour ahead; a DST name without dates takes the US rules
/// (`M3.2.0,M11.1.0`), as glibc and Go do. Not read: a leading `:` (implementation
/// defined, never in TZif files).
///
/// Used by `TimeZoneRules` for instants after the table; evaluated for any year on demand.
struct PosixTimeZoneRule: Sendable, Hashable {
    /// Seconds east of UTC outside DST.
    let standardOffset: Int
    let daylight: Daylight?

    struct Daylight: Sendable, Hashable {
        /// Seconds east of UTC during DST.
        let offset: Int
        let start: RuleDate
        /// Seconds after local (standard time) midnight of the start date.
        let startTime: Int
        let end: RuleDate
        /// Seconds after local (daylight time) midnight of the end date.
        let endTime: Int
    }

    enum RuleDate: Sendable, Hashable {
        /// `Jn`: day 1–365, February 29 not counted.
        case julianNoLeap(Int)
        /// `n`: day 0–365, February 29 counted.
        case zeroBased(Int)
        /// `Mm.w.d`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)

        /// The day (counted from 1970-01-01) this date falls on in `year`.
        func day(in year: Int) -> Int {
            let january1 = Timestamp.daysFromCivil(year, 1, 1)
            switch self {
            case .julianNoLeap(let n):
                return january1 + n - 1 + (n >= 60 && Timestamp.isLeapYear(year) ? 1 : 0)
            case .zeroBased(let n):
                return january1 + n
            case .monthWeekDay(let month, let week, let weekday):
                let first = Timestamp.daysFromCivil(year, month, 1)
                var day = first + (weekday - Timestamp.weekday(ofDay: first) + 7) % 7 + 7 * (week - 1)
                let length = Timestamp.daysInMonth(year: year, month: month)
                while day >= first + length { day -= 7 }  // week 5: the last one
                return day
            }
        }
    }

    struct SyntaxError: Error {
        var message: String
    }

    // MARK: Evaluation

    /// The offset in force at `instant`.
    func offset(at instant: Int) -> Int {
        guard let daylight else { return standardOffset }
        let year = Self.year(of: instant)
        for y in (year - 1)...(year + 1) {
            let (start, end) = daylightSpan(startingIn: y, daylight)
            if start <= instant && instant < end { return daylight.offset }
        }
        return standardOffset
    }

    /// The first instant after `instant` where the rule changes the offset.
    func transition(after instant: Int) -> (instant: Int, offsetBefore: Int, offsetAfter: Int)? {
        guard daylight != nil else { return nil }
        let candidates = changeCandidates(aroundYear: Self.year(of: instant)).filter { $0 > instant }
        for c in candidates.sorted() {
            let before = offset(at: c - 1)
            let after = offset(at: c)
            if before != after { return (c, before, after) }
        }
        return nil
    }

    /// The last instant at or before `instant` where the rule changed the offset.
    func transition(atOrBefore instant: Int) -> (instant: Int, offsetBefore: Int, offsetAfter: Int)? {
        guard daylight != nil else { return nil }
        let candidates = changeCandidates(aroundYear: Self.year(of: instant) - 1).filter { $0 <= instant }
        for c in candidates.sorted(by: >) {
            let before = offset(at: c - 1)
            let after = offset(at: c)
            if before != after { return (c, before, after) }
        }
        return nil
    }

    /// Start and end instants of the rule in the years around `year` (a window of four
    /// years holds at least one real change when the rule has any).
    private func changeCandidates(aroundYear year: Int) -> [Int] {
        guard let daylight else { return [] }
        var out: [Int] = []
        for y in (year - 1)...(year + 2) {
            out.append(instant(of: daylight.start, in: y, time: daylight.startTime, offset: standardOffset))
            out.append(instant(of: daylight.end, in: y, time: daylight.endTime, offset: daylight.offset))
        }
        return out
    }

    /// DST starting in `year`: from its start to the first end after it (in the next year
    /// for the southern hemisphere; a year later still when DST lasts all year).
    private func daylightSpan(startingIn year: Int, _ daylight: Daylight) -> (Int, Int) {
        let start = instant(of: daylight.start, in: year, time: daylight.startTime, offset: standardOffset)
        var end = instant(of: daylight.end, in: year, time: daylight.endTime, offset: daylight.offset)
        if end <= start {
            end = instant(of: daylight.end, in: year + 1, time: daylight.endTime, offset: daylight.offset)
        }
        return (start, end)
    }

    private func instant(of date: RuleDate, in year: Int, time: Int, offset: Int) -> Int {
        date.day(in: year) * 86400 + time - offset
    }

    private static func year(of instant: Int) -> Int {
        let days = instant >= 0 ? instant / 86400 : -((-instant + 86399) / 86400)
        return Timestamp.civilFromDays(days).year
    }

    // MARK: Parsing

    init(parsing text: String) throws(SyntaxError) {
        var scanner = Scanner(Array(text.unicodeScalars))
        guard !scanner.atEnd else { throw SyntaxError(message: "it is empty") }
        _ = try scanner.name(what: "standard time name")
        guard !scanner.atEnd else { throw SyntaxError(message: "the standard time name needs an offset (e.g. CET-1)") }
        standardOffset = -(try scanner.duration(what: "standard time offset", maxHours: 24))
        if scanner.atEnd {
            daylight = nil
            return
        }
        _ = try scanner.name(what: "daylight time name")
        var dstOffset = standardOffset + 3600
        if let c = scanner.peek, c != "," {
            dstOffset = -(try scanner.duration(what: "daylight time offset", maxHours: 24))
        }
        var start = RuleDate.monthWeekDay(month: 3, week: 2, weekday: 0)
        var end = RuleDate.monthWeekDay(month: 11, week: 1, weekday: 0)
        var startTime = 7200
        var endTime = 7200
        if !scanner.atEnd {
            try scanner.expect(",", what: "a comma before the start of daylight time")
            start = try scanner.ruleDate(what: "start of daylight time")
            if scanner.peek == "/" {
                scanner.advance()
                startTime = try scanner.duration(what: "time daylight time starts", maxHours: 167)
            }
            try scanner.expect(",", what: "a comma before the end of daylight time")
            end = try scanner.ruleDate(what: "end of daylight time")
            if scanner.peek == "/" {
                scanner.advance()
                endTime = try scanner.duration(what: "time daylight time ends", maxHours: 167)
            }
        }
        guard scanner.atEnd else {
            throw SyntaxError(message: "unexpected \"\(scanner.rest)\" after the rule")
        }
        daylight = Daylight(offset: dstOffset, start: start, startTime: startTime, end: end, endTime: endTime)
    }

    private struct Scanner {
        let chars: [Unicode.Scalar]
        var i = 0
        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        var atEnd: Bool { i >= chars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : chars[i] }
        var rest: String { String(String.UnicodeScalarView(chars[i...])) }
        mutating func advance() { i += 1 }

        mutating func expect(_ c: Unicode.Scalar, what: String) throws(SyntaxError) {
            guard peek == c else { throw SyntaxError(message: "expected \(what) at \"\(rest)\"") }
            advance()
        }

        /// `ABC` (letters) or `<+0330>` (letters, digits, + and -), three characters or more.
        mutating func name(what: String) throws(SyntaxError) -> String {
            var name = ""
            if peek == "<" {
                advance()
                while let c = peek, c != ">" {
                    guard (c.value >= 48 && c.value <= 57) || Self.isLetter(c) || c == "+" || c == "-" else {
                        throw SyntaxError(message: "\(what): \"\(c)\" is not allowed inside <…>")
                    }
                    name.unicodeScalars.append(c)
                    advance()
                }
                guard peek == ">" else { throw SyntaxError(message: "\(what): \"<\" is not closed by \">\"") }
                advance()
            } else {
                while let c = peek, Self.isLetter(c) {
                    name.unicodeScalars.append(c)
                    advance()
                }
            }
            guard name.unicodeScalars.count >= 3 else {
                throw SyntaxError(message: "\(what) must have at least three letters, got \"\(name)\"")
            }
            return name
        }

        /// `[+-]hh[:mm[:ss]]` in seconds (sign as written).
        mutating func duration(what: String, maxHours: Int) throws(SyntaxError) -> Int {
            var sign = 1
            if peek == "+" { advance() } else if peek == "-" { sign = -1; advance() }
            guard let hours = number(maxDigits: 3) else {
                throw SyntaxError(message: "\(what): expected hours at \"\(rest)\"")
            }
            guard hours <= maxHours else { throw SyntaxError(message: "\(what): hours must be 0-\(maxHours), got \(hours)") }
            var seconds = hours * 3600
            for unit in [60, 1] {
                guard peek == ":" else { break }
                advance()
                guard let part = number(maxDigits: 2) else {
                    throw SyntaxError(message: "\(what): expected minutes or seconds at \"\(rest)\"")
                }
                guard part <= 59 else { throw SyntaxError(message: "\(what): minutes and seconds must be 0-59, got \(part)") }
                seconds += part * unit
            }
            return sign * seconds
        }

        mutating func ruleDate(what: String) throws(SyntaxError) -> RuleDate {
            if peek == "J" {
                advance()
                guard let n = number(maxDigits: 3), (1...365).contains(n) else {
                    throw SyntaxError(message: "\(what): Jn needs a day 1-365")
                }
                return .julianNoLeap(n)
            }
            if peek == "M" {
                advance()
                guard let month = number(maxDigits: 2), (1...12).contains(month) else {
                    throw SyntaxError(message: "\(what): Mm.w.d needs a month 1-12")
                }
                try expect(".", what: "\".\" after the month")
                guard let week = number(maxDigits: 1), (1...5).contains(week) else {
                    throw SyntaxError(message: "\(what): Mm.w.d needs a week 1-5")
                }
                try expect(".", what: "\".\" after the week")
                guard let weekday = number(maxDigits: 1), (0...6).contains(weekday) else {
                    throw SyntaxError(message: "\(what): Mm.w.d needs a weekday 0-6")
                }
                return .monthWeekDay(month: month, week: week, weekday: weekday)
            }
            guard let n = number(maxDigits: 3), (0...365).contains(n) else {
                throw SyntaxError(message: "\(what): expected Jn, n or Mm.w.d at \"\(rest)\"")
            }
            return .zeroBased(n)
        }

        private mutating func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while let c = peek, c.value >= 48, c.value <= 57, digits < maxDigits {
                value = value * 10 + Int(c.value - 48)
                digits += 1
                advance()
            }
            return digits > 0 ? value : nil
        }

        private static func isLetter(_ c: Unicode.Scalar) -> Bool {
            (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122)
        }
    }
}
