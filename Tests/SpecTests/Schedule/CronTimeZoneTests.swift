import Platform
import Testing

@testable import Spec

/// Schedules in time zones: known answers across spring-forward and fall-back in Berlin,
/// New York, Lord Howe (30-minute DST), São Paulo (midnight skipped) and Samoa (a day
/// skipped); then every run around every transition of several zones checked against a
/// minute-by-minute walk of glibc's clock.
@Suite(.enabled(if: zoneDataPresent, "needs /usr/share/zoneinfo (Debian's tzdata)"))
struct CronTimeZoneTests {
    func runs(_ text: String, _ zoneName: String, after start: String, until end: String) throws -> [String] {
        let expression = try CronExpression(text)
        let zone = try zone(zoneName)
        var out: [String] = []
        var at = utc(start)
        while let run = expression.next(after: at, in: zone), run <= utc(end) {
            out.append(iso(run))
            at = run
        }
        // previous() walks the same runs backwards.
        var back: [String] = []
        var to = utc(end)
        while let run = expression.previous(atOrBefore: to, in: zone), run > utc(start) {
            back.append(iso(run))
            to = run - 1
        }
        #expect(Array(back.reversed()) == out, "\(text) in \(zoneName): previous() disagrees with next()")
        return out
    }

    @Test func berlinSpringForward() throws {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z.
        #expect(try runs("30 2 * * *", "Europe/Berlin", after: "2026-03-27T12:00:00Z", until: "2026-03-30T12:00:00Z")
                == ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
        #expect(try runs("0,30 2 * * *", "Europe/Berlin", after: "2026-03-27T12:00:00Z", until: "2026-03-30T12:00:00Z")
                == ["2026-03-28T01:00:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"])
        #expect(try runs("0 3 * * *", "Europe/Berlin", after: "2026-03-28T12:00:00Z", until: "2026-03-30T12:00:00Z")
                == ["2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"])
        #expect(try runs("*/30 * * * *", "Europe/Berlin", after: "2026-03-29T00:00:00Z", until: "2026-03-29T01:30:00Z")
                == ["2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"])
        #expect(try runs("@hourly", "Europe/Berlin", after: "2026-03-28T23:30:00Z", until: "2026-03-29T02:00:00Z")
                == ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"])
    }

    @Test func berlinFallBack() throws {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:00-02:59 happen twice.
        #expect(try runs("30 2 * * *", "Europe/Berlin", after: "2026-10-24T12:00:00Z", until: "2026-10-26T12:00:00Z")
                == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        #expect(try runs("0 2 * * *", "Europe/Berlin", after: "2026-10-24T12:00:00Z", until: "2026-10-26T12:00:00Z")
                == ["2026-10-25T00:00:00Z", "2026-10-26T01:00:00Z"])
        #expect(try runs("0 3 * * *", "Europe/Berlin", after: "2026-10-24T12:00:00Z", until: "2026-10-25T12:00:00Z")
                == ["2026-10-25T02:00:00Z"])
        #expect(try runs("*/30 * * * *", "Europe/Berlin", after: "2026-10-24T23:45:00Z", until: "2026-10-25T02:00:00Z")
                == ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"])
    }

    @Test func newYork() throws {
        // 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z.
        #expect(try runs("30 2 * * *", "America/New_York", after: "2026-03-07T00:00:00Z", until: "2026-03-09T12:00:00Z")
                == ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        #expect(try runs("0 * * * *", "America/New_York", after: "2026-03-08T05:30:00Z", until: "2026-03-08T08:00:00Z")
                == ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"])
        #expect(try runs("30 1 * * *", "America/New_York", after: "2026-10-31T12:00:00Z", until: "2026-11-02T12:00:00Z")
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
        #expect(try runs("*/20 1 * * *", "America/New_York", after: "2026-11-01T04:00:00Z", until: "2026-11-02T06:30:00Z")
                == ["2026-11-01T05:00:00Z", "2026-11-01T05:20:00Z", "2026-11-01T05:40:00Z",
                    "2026-11-01T06:00:00Z", "2026-11-01T06:20:00Z", "2026-11-01T06:40:00Z", "2026-11-02T06:00:00Z", "2026-11-02T06:20:00Z"])
        #expect(try runs("0 * * * *", "America/New_York", after: "2026-11-01T04:30:00Z", until: "2026-11-01T07:00:00Z")
                == ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"])
        // Beyond the table (2045, from the footer's rule).
        #expect(try runs("30 2 * * *", "America/New_York", after: "2045-03-11T12:00:00Z", until: "2045-03-13T12:00:00Z")
                == ["2045-03-12T07:00:00Z", "2045-03-13T06:30:00Z"])
        #expect(try runs("30 1 * * *", "America/New_York", after: "2045-11-04T12:00:00Z", until: "2045-11-06T12:00:00Z")
                == ["2045-11-05T05:30:00Z", "2045-11-06T06:30:00Z"])
    }

    @Test func lordHoweHalfHourShift() throws {
        // +11 -> +10:30 at 2026-04-04T15:00Z (01:30-01:59 twice); +10:30 -> +11 at 2026-10-03T15:30Z (02:00-02:29 skipped).
        #expect(try runs("45 1 * * *", "Australia/Lord_Howe", after: "2026-04-03T00:00:00Z", until: "2026-04-05T20:00:00Z")
                == ["2026-04-03T14:45:00Z", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"])
        #expect(try runs("15 2 * * *", "Australia/Lord_Howe", after: "2026-10-02T00:00:00Z", until: "2026-10-04T20:00:00Z")
                == ["2026-10-02T15:45:00Z", "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"])
        #expect(try runs("*/15 2 * * *", "Australia/Lord_Howe", after: "2026-10-03T15:00:00Z", until: "2026-10-03T16:00:00Z")
                == ["2026-10-03T15:30:00Z", "2026-10-03T15:45:00Z"])
    }

    @Test func saoPauloMidnightAndSamoasMissingDay() throws {
        // 2018-11-04: midnight did not exist in São Paulo (00:00 -03 -> 01:00 -02 at 03:00Z).
        #expect(try runs("@daily", "America/Sao_Paulo", after: "2018-11-02T12:00:00Z", until: "2018-11-05T12:00:00Z")
                == ["2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z"])
        // 2019-02-16: 23:00-23:59 twice (-02, then -03).
        #expect(try runs("30 23 * * *", "America/Sao_Paulo", after: "2019-02-15T12:00:00Z", until: "2019-02-18T12:00:00Z")
                == ["2019-02-16T01:30:00Z", "2019-02-17T01:30:00Z", "2019-02-18T02:30:00Z"])
        // Samoa went from 2011-12-29 23:59:59 (-10) to 2011-12-31 00:00 (+14): the 30th's run
        // happens at the jump, and the 31st's at its own time.
        #expect(try runs("0 9 * * *", "Pacific/Apia", after: "2011-12-28T12:00:00Z", until: "2011-12-31T23:00:00Z")
                == ["2011-12-28T19:00:00Z", "2011-12-29T19:00:00Z", "2011-12-30T10:00:00Z", "2011-12-30T19:00:00Z", "2011-12-31T19:00:00Z"])
        #expect(try runs("0 * * * *", "Pacific/Apia", after: "2011-12-30T08:30:00Z", until: "2011-12-30T11:00:00Z")
                == ["2011-12-30T09:00:00Z", "2011-12-30T10:00:00Z", "2011-12-30T11:00:00Z"])
    }

    @Test func catchUpAcrossAClockChange() throws {
        let berlin = try zone("Europe/Berlin")
        let daily = try CronExpression("30 2 * * *")
        // Down from Saturday noon to Monday noon over the spring change: two runs missed,
        // the Sunday one at the jump.
        let missed = daily.missedRuns(after: utc("2026-03-28T12:00:00Z"), upTo: utc("2026-03-30T12:00:00Z"), in: berlin)
        #expect(missed == MissedRuns(latest: utc("2026-03-30T00:30:00Z"), count: 2, exceedsCap: false))
        let hourly = try CronExpression("0 * * * *")
        // The autumn night has 25 hourly runs between midnights.
        let autumn = hourly.missedRuns(after: utc("2026-10-24T22:00:00Z"), upTo: utc("2026-10-25T23:00:00Z"), in: berlin)
        #expect(autumn == MissedRuns(latest: utc("2026-10-25T23:00:00Z"), count: 25, exceedsCap: false))
    }

    // MARK: Every run around every transition, against a walk of glibc's clock

    static let expressions = [
        "30 2 * * *", "0 2 * * *", "0,30 2 * * *", "*/15 * * * *", "0 * * * *", "15,45 0-3 * * *", "*/20 1 * * *",
        "@daily", "45 1 * * *", "15 2 * * *", "0 3 * * SUN", "30 23 * * *", "0 9 * * *", "* 2 * * *", "59 23 * * *",
    ]

    static let windows: [(zone: String, from: Int, to: Int)] = [
        ("Europe/Berlin", 2024, 2027), ("Europe/Berlin", 2045, 2045), ("America/New_York", 2025, 2027),
        ("Australia/Lord_Howe", 2025, 2027), ("America/Sao_Paulo", 2017, 2019), ("Pacific/Apia", 2011, 2012),
        ("Africa/Casablanca", 2025, 2026), ("Asia/Kolkata", 2026, 2026), ("Europe/Dublin", 2026, 2026),
    ]

    @Test(arguments: Array(windows.indices))
    func everyRunNearTransitionsMatchesAWalkOfTheClock(_ index: Int) async throws {
        let (name, fromYear, toYear) = Self.windows[index]
        let zone = try zone(name)
        // Windows of two days around each transition (or one day in a zone without any).
        var centers: [Int] = []
        var at = Timestamp.daysFromCivil(fromYear, 1, 1) * 86400
        let end = Timestamp.daysFromCivil(toYear + 1, 1, 1) * 86400
        while let t = zone.transition(after: at), t.instant < end {
            centers.append(t.instant)
            at = t.instant
        }
        if centers.isEmpty { centers = [Timestamp.daysFromCivil(fromYear, 6, 1) * 86400] }
        // The clock, minute by minute from two days before each center, as glibc shows it.
        let day = 86400
        var minutes: [Int] = []
        var slices: [Range<Int>] = []
        for center in centers {
            let first = (center - 2 * day) / 60 * 60
            let start = minutes.count
            minutes += stride(from: first, through: center + day, by: 60)
            slices.append(start..<minutes.count)
        }
        let offsets = try await GlibcReference.offsets(zone: name, at: minutes)
        var checked = 0
        for text in Self.expressions {
            let expression = try CronExpression(text)
            guard case .calendar(let pattern) = expression.kind else { continue }
            for (center, slice) in zip(centers, slices) {
                let expected = Self.walk(pattern, minutes: Array(minutes[slice]), offsets: Array(offsets[slice]),
                                         from: center - day)
                var actual: [Int] = []
                var t = center - day - 1
                while let run = expression.next(after: t, in: zone), run <= center + day {
                    actual.append(run)
                    t = run
                }
                #expect(actual == expected, "\(text) in \(name) around \(iso(center)): \(actual.map(iso)) vs \(expected.map(iso))")
                var backward: [Int] = []
                t = center + day
                while let run = expression.previous(atOrBefore: t, in: zone), run >= center - day {
                    backward.append(run)
                    t = run - 1
                }
                #expect(Array(backward.reversed()) == expected, "previous: \(text) in \(name) around \(iso(center))")
                let missed = expression.missedRuns(after: center - day - 1, upTo: center + day, in: zone, cap: 10_000)
                #expect(missed == MissedRuns(latest: expected.last, count: expected.count, exceedsCap: false))
                checked += 1
            }
        }
        #expect(checked >= Self.expressions.count)
    }

    /// The runs by the definition, walking the clock minute by minute: a matching minute runs
    /// when shown — for fixed-time schedules only the first time it is shown — and when the
    /// clock jumps forward over a matching minute, a fixed-time schedule runs at the jump.
    static func walk(_ p: CalendarPattern, minutes: [Int], offsets: [Int], from: Int) -> [Int] {
        func matches(_ local: Int) -> Bool {
            let days = CalendarPattern.floorDiv(local, 86400)
            let (y, mo, d) = Timestamp.civilFromDays(days)
            let second = local - days * 86400
            let dom = p.days.contains(d)
            let dow = p.weekdays.contains(Timestamp.weekday(ofDay: Timestamp.daysFromCivil(y, mo, d)))
            let day = p.daysStarred || p.weekdaysStarred ? dom && dow : dom || dow
            return second % 60 == 0 && p.minutes.contains(second % 3600 / 60) && p.hours.contains(second / 3600)
                && p.months.contains(mo) && day
        }
        var runs: [Int] = []
        var shown = Set<Int>()
        var previousLocal: Int?
        for (u, offset) in zip(minutes, offsets) {
            let local = u + offset
            var run = false
            if let before = previousLocal, local - before > 60, !p.followsElapsedTime {
                run = stride(from: before + 60, to: local, by: 60).contains(where: matches)
            }
            if matches(local), p.followsElapsedTime || !shown.contains(local) { run = true }
            shown.insert(local)
            previousLocal = local
            if run, u >= from { runs.append(u) }
        }
        return runs
    }
}
