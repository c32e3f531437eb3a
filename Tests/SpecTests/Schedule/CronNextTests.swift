import Platform
import Testing

@testable import Spec

/// When schedules run: known answers in UTC and across clock changes, the dom/dow rule,
/// February 29, year ends, `@every`, and the catch-up count.
@Suite struct CronNextTests {
    /// The runs after `start`, `count` of them, as UTC timestamps.
    func runs(_ text: String, after start: String, count: Int, in zone: TimeZoneRules = .utc) throws -> [String] {
        let expression = try CronExpression(text)
        var out: [String] = []
        var at = utc(start)
        for _ in 0..<count {
            guard let run = expression.next(after: at, in: zone) else { break }
            out.append(iso(run))
            at = run
        }
        return out
    }

    @Test func knownAnswersInUTC() throws {
        #expect(try runs("*/15 * * * *", after: "2026-05-04T10:07:30Z", count: 3)
                == ["2026-05-04T10:15:00Z", "2026-05-04T10:30:00Z", "2026-05-04T10:45:00Z"])
        // Strictly after: a run time itself gives the next one.
        #expect(try runs("*/15 * * * *", after: "2026-05-04T10:15:00Z", count: 1) == ["2026-05-04T10:30:00Z"])
        #expect(try runs("0 3 * * *", after: "2026-05-04T03:00:00Z", count: 2) == ["2026-05-05T03:00:00Z", "2026-05-06T03:00:00Z"])
        #expect(try runs("5 4 * * SUN", after: "2026-05-04T00:00:00Z", count: 2) == ["2026-05-10T04:05:00Z", "2026-05-17T04:05:00Z"])
        #expect(try runs("0 0 * * 7", after: "2026-05-04T00:00:00Z", count: 1) == ["2026-05-10T00:00:00Z"])
        #expect(try runs("0 9-17/4 * * MON-FRI", after: "2026-05-08T12:00:00Z", count: 4)
                == ["2026-05-08T13:00:00Z", "2026-05-08T17:00:00Z", "2026-05-11T09:00:00Z", "2026-05-11T13:00:00Z"])
        #expect(try runs("@monthly", after: "2026-05-04T00:00:00Z", count: 2) == ["2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"])
        #expect(try runs("@weekly", after: "2026-05-04T00:00:00Z", count: 1) == ["2026-05-10T00:00:00Z"])
        #expect(try runs("@hourly", after: "2026-05-04T23:30:00Z", count: 2) == ["2026-05-05T00:00:00Z", "2026-05-05T01:00:00Z"])
        #expect(try runs("0 12 31 * *", after: "2026-01-31T12:00:00Z", count: 3)
                == ["2026-03-31T12:00:00Z", "2026-05-31T12:00:00Z", "2026-07-31T12:00:00Z"])
    }

    @Test func yearBoundaries() throws {
        #expect(try runs("@yearly", after: "2026-06-01T00:00:00Z", count: 2) == ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"])
        #expect(try runs("59 23 31 12 *", after: "2026-12-31T23:59:00Z", count: 1) == ["2027-12-31T23:59:00Z"])
        #expect(try runs("* * * * *", after: "2026-12-31T23:59:30Z", count: 2) == ["2027-01-01T00:00:00Z", "2027-01-01T00:01:00Z"])
        #expect(try runs("0 0 1 JAN,DEC *", after: "2026-01-01T00:00:00Z", count: 2) == ["2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"])
        let e = try CronExpression("0 0 1 1 *")
        #expect(iso(e.previous(atOrBefore: utc("2027-01-01T00:00:00Z"))) == "2027-01-01T00:00:00Z")
        #expect(iso(e.previous(atOrBefore: utc("2026-12-31T23:59:59Z"))) == "2026-01-01T00:00:00Z")
    }

    @Test func february29() throws {
        #expect(try runs("0 0 29 2 *", after: "2024-03-01T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        // 2100 is no leap year: eight years between runs, the longest any schedule waits.
        #expect(try runs("0 0 29 2 *", after: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
        let e = try CronExpression("0 0 29 2 *")
        #expect(iso(e.previous(atOrBefore: utc("2104-02-28T00:00:00Z"))) == "2096-02-29T00:00:00Z")
        #expect(try runs("0 0 28-31 FEB *", after: "2027-02-27T00:00:00Z", count: 3)
                == ["2027-02-28T00:00:00Z", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z"])
    }

    @Test func dayOfMonthOrDayOfWeek() throws {
        // Both restricted: the 13th OR any Friday (2026-02-13 is a Friday).
        #expect(try runs("0 0 13 * 5", after: "2026-02-01T00:00:00Z", count: 5)
                == ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-06T00:00:00Z"])
        #expect(try runs("0 0 13 * 5", after: "2026-03-07T00:00:00Z", count: 2) == ["2026-03-13T00:00:00Z", "2026-03-20T00:00:00Z"])
        // One starred: both must hold — the 13th that is a Friday (or, `?`, every 13th).
        #expect(try runs("0 0 13 * *", after: "2026-02-01T00:00:00Z", count: 2) == ["2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z"])
        #expect(try runs("0 0 * * 5", after: "2026-02-01T00:00:00Z", count: 2) == ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z"])
        #expect(try runs("0 0 ? * 5", after: "2026-02-01T00:00:00Z", count: 1) == ["2026-02-06T00:00:00Z"])
        // `*/2` is a restriction (robfig's star bit is cleared by a step): odd days OR Mondays.
        #expect(try runs("0 0 */2 * 1", after: "2026-02-01T00:00:00Z", count: 4)
                == ["2026-02-02T00:00:00Z", "2026-02-03T00:00:00Z", "2026-02-05T00:00:00Z", "2026-02-07T00:00:00Z"])
    }

    @Test func everyCountsFromTheGivenTime() throws {
        let e = try CronExpression("@every 1h30m")
        #expect(e.next(after: 1000) == 1000 + 5400)
        #expect(e.previous(atOrBefore: 1000) == nil)
        let berlin = zoneDataPresent ? try zone("Europe/Berlin") : .utc
        #expect(e.next(after: utc("2026-03-29T00:30:00Z"), in: berlin) == utc("2026-03-29T02:00:00Z"))
        let missed = e.missedRuns(after: 0, upTo: 5400 * 3 + 10)
        #expect(missed == MissedRuns(latest: 5400 * 3, count: 3, exceedsCap: false))
        #expect(e.missedRuns(after: 0, upTo: 5399) == MissedRuns(latest: nil, count: 0, exceedsCap: false))
        #expect(e.missedRuns(after: 0, upTo: 5400 * 250, cap: 100) == MissedRuns(latest: 5400 * 250, count: 100, exceedsCap: true))
        #expect(e.next(after: TimeZoneRules.supportedInstants.upperBound) == nil)
    }

    @Test func missedRunsCountsUpToTheCap() throws {
        let hourly = try CronExpression("0 * * * *")
        let last = utc("2026-05-04T10:00:00Z")
        #expect(hourly.missedRuns(after: last, upTo: utc("2026-05-04T10:59:59Z")) == MissedRuns(latest: nil, count: 0, exceedsCap: false))
        #expect(hourly.missedRuns(after: last, upTo: utc("2026-05-04T11:00:00Z"))
                == MissedRuns(latest: utc("2026-05-04T11:00:00Z"), count: 1, exceedsCap: false))
        #expect(hourly.missedRuns(after: last, upTo: utc("2026-05-04T20:30:00Z"))
                == MissedRuns(latest: utc("2026-05-04T20:00:00Z"), count: 10, exceedsCap: false))
        // 100 missed is within Kubernetes' limit, 101 is too many.
        #expect(hourly.missedRuns(after: last, upTo: last + 100 * 3600)
                == MissedRuns(latest: last + 100 * 3600, count: 100, exceedsCap: false))
        #expect(hourly.missedRuns(after: last, upTo: last + 101 * 3600)
                == MissedRuns(latest: last + 101 * 3600, count: 100, exceedsCap: true))
        // Decades behind (a wrong clock): the answer is still immediate and bounded.
        let far = hourly.missedRuns(after: utc("1990-01-01T00:00:00Z"), upTo: last + 1800, cap: 5)
        #expect(far == MissedRuns(latest: last, count: 5, exceedsCap: true))
        // A starting deadline: only runs within it count (CronJob's startingDeadlineSeconds).
        let now = utc("2026-05-04T20:30:00Z")
        let deadline = 3 * 3600
        #expect(hourly.missedRuns(after: max(last, now - deadline), upTo: now)
                == MissedRuns(latest: utc("2026-05-04T20:00:00Z"), count: 3, exceedsCap: false))
        #expect(hourly.missedRuns(after: now, upTo: now) == MissedRuns(latest: nil, count: 0, exceedsCap: false))
        #expect(hourly.missedRuns(after: now, upTo: now - 10) == MissedRuns(latest: nil, count: 0, exceedsCap: false))
    }

    @Test func extremesAnswerWithoutCrashing() throws {
        let e = try CronExpression("* * * * *")
        #expect(e.next(after: Int.max) == nil)
        #expect(e.next(after: Int.min) == TimeZoneRules.supportedInstants.lowerBound)
        #expect(e.previous(atOrBefore: Int.min) == nil)
        #expect(e.previous(atOrBefore: Int.max) == TimeZoneRules.supportedInstants.upperBound - 59)
        #expect(e.next(after: TimeZoneRules.supportedInstants.upperBound - 30) == nil)
        #expect(e.missedRuns(after: Int.min, upTo: Int.max, cap: 3).exceedsCap)
    }
}
