/// A cron schedule as a Kubernetes CronJob writes it, and when it runs in a time zone.
///
/// The syntax is the one Kubernetes accepts (robfig/cron v3's standard parser, see
/// `CronExpression+Parsing.swift` and docs/schedules.md): five fields, names, lists, ranges,
/// steps, `@daily` and the other descriptors, `@every <duration>`.
///
/// **When a schedule runs.** A calendar schedule names wall-clock minutes; each runs at the
/// instant the zone's clock shows it. Clock changes follow cron's own rule (cronie, Vixie
/// cron), not robfig's (which skips a time the clock jumps over and runs a time it shows
/// twice twice):
/// - a *fixed-time* schedule (neither minute nor hour field starts with `*`, e.g.
///   `30 2 * * *`, `@daily`) runs a wall-clock time that the clock skips once, at the jump
///   (02:30 on the night summer time starts in Berlin runs at 03:00 CEST), and a time the
///   clock shows twice once, the first time;
/// - an *elapsed-time* schedule (`*/15 * * * *`, `0 * * * *`, `@hourly`) follows the
///   clock as it runs: minutes the clock skips do not exist, minutes it shows twice run
///   twice — every 15 minutes stays every 15 minutes.
/// `@every` schedules count seconds from the previous run and know no zone.
///
/// Used by the runtime to compute `nextRun` and catch-up runs (`missedRuns`); built by the
/// operator-file reader, which reports `CronSyntaxError`s at their position.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The schedule as written.
    public let text: String
    let kind: Kind

    enum Kind: Sendable, Hashable {
        case calendar(CalendarPattern)
        /// `@every`: seconds between runs.
        case every(Int)
    }

    public var description: String { text }

    /// Seconds between runs of an `@every` schedule; nil for calendar schedules.
    public var interval: Int? {
        if case .every(let seconds) = kind { return seconds }
        return nil
    }

    /// True when runs follow elapsed time through clock changes (minute or hour field
    /// starting with `*`, `@hourly`, `@every`); false for fixed wall-clock times.
    public var followsElapsedTime: Bool {
        switch kind {
        case .calendar(let pattern): return pattern.followsElapsedTime
        case .every: return true
        }
    }

    // MARK: Runs

    /// The first run strictly after `instant` (seconds since the epoch), or nil when there
    /// is none within ten years (cannot happen for a schedule that parsed, bar zones that
    /// skip every matching minute) or beyond year 9999. `@every`: `instant` + the interval,
    /// where `instant` should be the previous *scheduled* time.
    public func next(after instant: Int, in zone: TimeZoneRules = .utc) -> Int? {
        switch kind {
        case .every(let seconds):
            let (sum, overflow) = instant.addingReportingOverflow(seconds)
            return overflow || sum > TimeZoneRules.supportedInstants.upperBound ? nil : sum
        case .calendar(let pattern):
            return Self.next(pattern, after: instant, in: zone)
        }
    }

    /// The last run at or before `instant`, or nil when there is none within ten years.
    /// Always nil for `@every`, whose runs have no fixed instants: use `missedRuns`, which
    /// counts from the previous run.
    public func previous(atOrBefore instant: Int, in zone: TimeZoneRules = .utc) -> Int? {
        switch kind {
        case .every:
            return nil
        case .calendar(let pattern):
            return Self.previous(pattern, atOrBefore: instant, in: zone)
        }
    }

    /// The runs that fell in (`lastScheduled`, `now`]: the latest one and how many, counted
    /// up to `cap` (Kubernetes' CronJob controller warns above 100, "too many missed start
    /// times"). `lastScheduled` is the previous *scheduled* time (not when the run began);
    /// with a starting deadline pass `max(lastScheduled, now - deadline)`, as the CronJob
    /// controller does, so that runs older than the deadline are neither counted nor run.
    /// Costs at most `cap` + 1 searches.
    public func missedRuns(after lastScheduled: Int, upTo now: Int, in zone: TimeZoneRules = .utc, cap: Int = 100) -> MissedRuns {
        let cap = max(cap, 0)
        let lastScheduled = TimeZoneRules.clamp(lastScheduled)
        let now = TimeZoneRules.clamp(now)
        guard now > lastScheduled else { return MissedRuns(latest: nil, count: 0, exceedsCap: false) }
        if case .every(let seconds) = kind {
            let runs = (now - lastScheduled) / seconds
            return MissedRuns(latest: runs > 0 ? lastScheduled + runs * seconds : nil,
                              count: min(runs, cap), exceedsCap: runs > cap)
        }
        guard let latest = previous(atOrBefore: now, in: zone), latest > lastScheduled else {
            return MissedRuns(latest: nil, count: 0, exceedsCap: false)
        }
        var count = 0
        var at = lastScheduled
        while count <= cap, let run = next(after: at, in: zone), run <= now {
            count += 1
            at = run
        }
        return MissedRuns(latest: latest, count: min(count, cap), exceedsCap: count > cap)
    }

    // MARK: Search through the zone's periods of constant offset

    // Within a period the wall clock runs evenly, so its first matching minute is the
    // period's first run; the clock change at the period's start decides the rest (see the
    // type's comment): a forward jump over a matching minute runs fixed-time schedules at
    // the jump; after a backward jump, the minutes shown a second time are skipped by
    // fixed-time schedules.

    private static func next(_ pattern: CalendarPattern, after instant: Int, in zone: TimeZoneRules) -> Int? {
        let range = TimeZoneRules.supportedInstants
        guard instant < range.upperBound else { return nil }
        let fixed = !pattern.followsElapsedTime
        var from = max(instant + 1, range.lowerBound)
        let horizon = from + (CalendarPattern.searchYears + 1) * 366 * 86400
        while from <= horizon {
            let period = zone.period(containing: from)
            if fixed, let start = period.start, start >= from, let before = period.offsetBefore, period.offset > before,
               pattern.nextLocal(atOrAfter: start + before, before: start + period.offset) != nil {
                return start
            }
            var low = from + period.offset
            if fixed, let start = period.start, let before = period.offsetBefore, before > period.offset {
                low = max(low, start + before)
            }
            if let local = pattern.nextLocal(atOrAfter: low, before: period.end.map { $0 + period.offset }) {
                let run = local - period.offset
                return run <= range.upperBound ? run : nil
            }
            guard let end = period.end else { return nil }
            from = end
        }
        return nil
    }

    private static func previous(_ pattern: CalendarPattern, atOrBefore instant: Int, in zone: TimeZoneRules) -> Int? {
        let range = TimeZoneRules.supportedInstants
        guard instant >= range.lowerBound else { return nil }
        let fixed = !pattern.followsElapsedTime
        var to = min(instant, range.upperBound)
        let horizon = to - (CalendarPattern.searchYears + 1) * 366 * 86400
        while to >= horizon {
            let period = zone.period(containing: to)
            var floor = period.start.map { $0 + period.offset }
            if fixed, let start = period.start, let before = period.offsetBefore, before > period.offset {
                floor = start + before
            }
            if let local = pattern.previousLocal(atOrBefore: to + period.offset, notBefore: floor) {
                let run = local - period.offset
                return run >= range.lowerBound ? run : nil
            }
            if fixed, let start = period.start, let before = period.offsetBefore, period.offset > before,
               pattern.nextLocal(atOrAfter: start + before, before: start + period.offset) != nil {
                return start
            }
            guard let start = period.start else { return nil }
            to = start - 1
        }
        return nil
    }
}

/// Runs of a schedule that fell between the last scheduled time and now.
public struct MissedRuns: Sendable, Hashable {
    /// The most recent one: the run to catch up on. Nil when none fell in the interval.
    public var latest: Int?
    /// How many fell in the interval; at most the cap.
    public var count: Int
    /// More than the cap fell in the interval (then `count` is the cap).
    public var exceedsCap: Bool

    public init(latest: Int?, count: Int, exceedsCap: Bool) {
        self.latest = latest
        self.count = count
        self.exceedsCap = exceedsCap
    }
}
