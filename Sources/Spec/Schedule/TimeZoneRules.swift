/// The UTC offset of one time zone at every instant, and the way back from a wall-clock
/// time to instants — what a cron schedule with `timeZone:` is computed against.
///
/// A zone is a table of past and planned offset changes read from a TZif file (RFC 8536,
/// see `TimeZoneRules+TZif.swift`) followed by a POSIX TZ rule (its footer, see
/// `PosixTimeZoneRule`) that continues the table for ever; Debian's "fat" files list
/// changes up to 2037, "slim" ones stop at the last change of the rules, and both work.
/// A zone can also be made of a POSIX TZ rule alone, or a fixed offset. Loading by IANA
/// name is `TimeZoneRules+Loading.swift`. Nothing here reads the machine's own zone
/// (`/etc/localtime`, `TZ`): a schedule names its zone or is in UTC.
///
/// Instants are seconds since the epoch (UTC). *Local seconds* count the same way on the
/// zone's wall clock (local 1970-01-01T00:00 is 0), so calendar arithmetic on them needs no
/// zone (`Timestamp.civilFromDays`). Leap seconds do not exist here (as in Kubernetes, Go
/// and POSIX time). Answers are for instants in years 1–9999; outside, the nearest end is
/// used. A value: cheap to copy and to share between tasks.
public struct TimeZoneRules: Sendable, Hashable, CustomStringConvertible {
    /// The name it was loaded by (`Europe/Berlin`), or the rule text for a rule-only zone.
    public let name: String

    /// Instants at which the table changes the offset (ascending; each entry differs from the
    /// one before), and the offset from each on.
    let changeTimes: [Int]
    let changeOffsets: [Int]
    /// The offset before the first table change (the file's time type 0).
    let initialOffset: Int
    /// The table's last transition: from here on the rule governs. Nil: no table.
    let tableEnd: Int?
    /// The offset of the table's last transition, used after it when there is no rule.
    let tailOffset: Int
    let rule: PosixTimeZoneRule?

    /// Instants this type answers for: 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z.
    public static let supportedInstants: ClosedRange<Int> = -62_135_596_800...253_402_300_799

    /// Coordinated Universal Time; needs no zone file.
    public static let utc = TimeZoneRules(name: "UTC", fixedOffset: 0)

    public var description: String { name }

    /// A zone that is always `offset` seconds east of UTC (`Etc/GMT-2` is +7200).
    public init(name: String, fixedOffset offset: Int) {
        self.init(name: name, transitions: [], initialOffset: offset, rule: nil)
    }

    /// A zone made of a POSIX TZ rule alone, e.g. `CET-1CEST,M3.5.0,M10.5.0/3` (signs as
    /// POSIX writes them: hours *west* of UTC).
    public init(name: String? = nil, posixRule text: String) throws(TimeZoneError) {
        let rule: PosixTimeZoneRule
        do {
            rule = try PosixTimeZoneRule(parsing: text)
        } catch {
            throw TimeZoneError(zone: name ?? text, kind: .malformed, message: "invalid POSIX TZ rule \"\(text)\": \(error.message)")
        }
        self.init(name: name ?? text, transitions: [], initialOffset: rule.standardOffset, rule: rule)
    }

    /// `transitions`: (instant, offset from then on) in ascending order of instant.
    init(name: String, transitions: [(at: Int, offset: Int)], initialOffset: Int, rule: PosixTimeZoneRule?) {
        self.name = name
        var initial = initialOffset
        var times: [Int] = []
        var offsets: [Int] = []
        var last: Int?
        for transition in transitions {
            last = transition.at
            // Changes before year 1 only decide the offset the supported range starts with.
            if transition.at <= Self.supportedInstants.lowerBound {
                initial = transition.offset
                continue
            }
            if transition.offset != (offsets.last ?? initial) {
                times.append(transition.at)
                offsets.append(transition.offset)
            }
        }
        self.changeTimes = times
        self.changeOffsets = offsets
        self.initialOffset = initial
        self.tableEnd = last.map { min(max($0, Self.supportedInstants.lowerBound), Self.supportedInstants.upperBound) }
        self.tailOffset = transitions.last?.offset ?? initialOffset
        self.rule = rule
    }

    // MARK: Instants → wall clock

    /// Seconds east of UTC in force at `instant` (Berlin in summer: 7200).
    public func utcOffset(at instant: Int) -> Int {
        let u = Self.clamp(instant)
        if let end = tableEnd, u < end {
            // The last change at or before u.
            let i = Self.lastIndex(in: changeTimes, atOrBefore: u)
            return i.map { changeOffsets[$0] } ?? initialOffset
        }
        if let rule { return rule.offset(at: u) }
        return tableEnd == nil ? initialOffset : tailOffset
    }

    /// The wall-clock reading at `instant`, as local seconds.
    public func localSeconds(at instant: Int) -> Int {
        let u = Self.clamp(instant)
        return u + utcOffset(at: u)
    }

    // MARK: Transitions

    /// The first instant after `instant` at which the offset changes (a change of name or
    /// of the DST flag alone is no change here); nil when it never changes again.
    public func transition(after instant: Int) -> ZoneTransition? {
        let u = Self.clamp(instant)
        if let end = tableEnd, u < end {
            var i = Self.lastIndex(in: changeTimes, atOrBefore: u).map { $0 + 1 } ?? 0
            while i < changeTimes.count, changeTimes[i] < end {
                if let change = change(at: changeTimes[i]) { return change }
                i += 1
            }
            if let change = change(at: end) { return change }
        }
        guard let rule else { return nil }
        var from = max(u, tableEnd ?? Int.min)
        // The rule's own candidates are checked against the whole zone (the first one after
        // the table may repeat the table's last offset).
        while let candidate = rule.transition(after: from) {
            if let change = change(at: candidate.instant) { return change }
            from = candidate.instant
        }
        return nil
    }

    /// The last instant at or before `instant` at which the offset changed; nil when it never
    /// did (within the supported years).
    public func transition(atOrBefore instant: Int) -> ZoneTransition? {
        var u = Self.clamp(instant)
        if let rule, tableEnd.map({ u >= $0 }) ?? true {
            var to = u
            while let candidate = rule.transition(atOrBefore: to), candidate.instant > (tableEnd ?? Int.min) {
                if let change = change(at: candidate.instant) { return change }
                to = candidate.instant - 1
            }
        }
        if let end = tableEnd {
            if u >= end {
                if let change = change(at: end) { return change }
                u = end - 1
            }
            var i = Self.lastIndex(in: changeTimes, atOrBefore: u)
            while let index = i {
                if let change = change(at: changeTimes[index]) { return change }
                i = index > 0 ? index - 1 : nil
            }
        }
        return nil
    }

    private func change(at instant: Int) -> ZoneTransition? {
        guard instant > Self.supportedInstants.lowerBound else { return nil }
        let before = utcOffset(at: instant - 1)
        let after = utcOffset(at: instant)
        return before == after ? nil : ZoneTransition(instant: instant, offsetBefore: before, offsetAfter: after)
    }

    // MARK: Wall clock → instants

    /// The instants at which the wall clock reads `local` (local seconds): one, two when the
    /// clock is set back and passes it twice, none when it is set forward over it.
    public func instants(atLocal local: Int) -> LocalTimeInstants {
        // Any instant showing `local` lies within a day of it (offsets stay within ±26 h).
        var found: [Int] = []
        var skippedAt: Int?
        var period = period(containing: local - 26 * 3600)
        while true {
            let u = local - period.offset
            if period.contains(u) { found.append(u) }
            if let start = period.start, let before = period.offsetBefore,
               start + before <= local, local < start + period.offset {
                skippedAt = start
            }
            guard let end = period.end, end <= local + 26 * 3600 else { break }
            period = self.period(containing: end)
        }
        switch found.count {
        case 0: return .skipped(clockJumpedAt: skippedAt ?? local - utcOffset(at: local))
        case 1: return .unique(found[0])
        default: return .repeated(earlier: found.min()!, later: found.max()!)
        }
    }

    /// The stretch of constant offset around `instant`.
    func period(containing instant: Int) -> ZonePeriod {
        let u = Self.clamp(instant)
        let started = transition(atOrBefore: u)
        return ZonePeriod(start: started?.instant, end: transition(after: u)?.instant,
                          offset: utcOffset(at: u), offsetBefore: started?.offsetBefore)
    }

    // MARK: Helpers

    static func clamp(_ instant: Int) -> Int {
        min(max(instant, supportedInstants.lowerBound), supportedInstants.upperBound)
    }

    /// Index of the last element ≤ value in an ascending array.
    static func lastIndex(in sorted: [Int], atOrBefore value: Int) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }
}

/// A change of a zone's UTC offset.
public struct ZoneTransition: Sendable, Hashable {
    /// The first instant with the new offset.
    public var instant: Int
    public var offsetBefore: Int
    public var offsetAfter: Int

    public init(instant: Int, offsetBefore: Int, offsetAfter: Int) {
        self.instant = instant
        self.offsetBefore = offsetBefore
        self.offsetAfter = offsetAfter
    }
}

/// Where a wall-clock time falls in a zone.
public enum LocalTimeInstants: Sendable, Hashable {
    /// The clock shows it once.
    case unique(Int)
    /// The clock was set back and shows it twice (02:30 on the night summer time ends).
    case repeated(earlier: Int, later: Int)
    /// The clock was set forward over it (02:30 on the night summer time starts); the
    /// instant is the jump, the first instant after the skipped stretch.
    case skipped(clockJumpedAt: Int)
}

/// A stretch of time with one UTC offset: [start, end), open-ended where nil.
struct ZonePeriod: Sendable, Hashable {
    var start: Int?
    var end: Int?
    var offset: Int
    /// The offset before `start`.
    var offsetBefore: Int?

    func contains(_ instant: Int) -> Bool {
        (start.map { instant >= $0 } ?? true) && (end.map { instant < $0 } ?? true)
    }
}
