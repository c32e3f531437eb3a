import Testing

@testable import Spec

/// Every form of the schedule syntax, and every error with its message and offset.
@Suite struct CronParsingTests {
    struct Fields: Sendable, CustomStringConvertible {
        var text: String
        var minutes: [Int]? = nil
        var hours: [Int]? = nil
        var days: [Int]? = nil
        var months: [Int]? = nil
        var weekdays: [Int]? = nil
        var daysStarred: Bool? = nil
        var weekdaysStarred: Bool? = nil
        var elapsed: Bool? = nil
        var description: String { text }
    }

    static let all = (
        minutes: Array(0...59), hours: Array(0...23), days: Array(1...31), months: Array(1...12), weekdays: Array(0...6)
    )

    static let accepted: [Fields] = [
        Fields(text: "* * * * *", minutes: all.minutes, hours: all.hours, days: all.days, months: all.months,
               weekdays: all.weekdays, daysStarred: true, weekdaysStarred: true, elapsed: true),
        Fields(text: "5 4 * * *", minutes: [5], hours: [4], elapsed: false),
        Fields(text: "1,2,30 * * * *", minutes: [1, 2, 30]),
        Fields(text: "1-5 * * * *", minutes: [1, 2, 3, 4, 5]),
        Fields(text: "*/15 * * * *", minutes: [0, 15, 30, 45], elapsed: true),
        Fields(text: "5/10 * * * *", minutes: [5, 15, 25, 35, 45, 55]),
        Fields(text: "1-30/7 * * * *", minutes: [1, 8, 15, 22, 29]),
        Fields(text: "*/100 * * * *", minutes: [0]),
        Fields(text: "0,30 9-17/4 * * *", minutes: [0, 30], hours: [9, 13, 17], elapsed: false),
        Fields(text: "00 03 * * *", minutes: [0], hours: [3]),
        Fields(text: "0 0 * JAN-MAR *", months: [1, 2, 3]),
        Fields(text: "0 0 * jan,Jul,dEc *", months: [1, 7, 12]),
        Fields(text: "0 0 1 */3 *", days: [1], months: [1, 4, 7, 10], daysStarred: false),
        Fields(text: "0 0 * * Mon-Fri", weekdays: [1, 2, 3, 4, 5], daysStarred: true, weekdaysStarred: false),
        Fields(text: "0 0 * * SUN,sat", weekdays: [0, 6]),
        Fields(text: "0 0 * * 7", weekdays: [0]),
        Fields(text: "0 0 * * 5-7", weekdays: [0, 5, 6]),
        Fields(text: "0 0 * * 0-7", weekdays: all.weekdays, weekdaysStarred: false),
        Fields(text: "0 0 * * */2", weekdays: [0, 2, 4, 6], weekdaysStarred: false),
        Fields(text: "0 0 * * 1/2", weekdays: [1, 3, 5]),
        Fields(text: "0 0 ? * MON", daysStarred: true, weekdaysStarred: false),
        Fields(text: "0 0 13 * ?", days: [13], daysStarred: false, weekdaysStarred: true),
        Fields(text: "0 0 */2 * *", days: Array(stride(from: 1, through: 31, by: 2)), daysStarred: false),
        Fields(text: "0 0 */1 * *", daysStarred: true),
        Fields(text: "0 0 *,15 * *", daysStarred: true),
        Fields(text: "? ? * * *", minutes: all.minutes, hours: all.hours, elapsed: true),
        Fields(text: "* 3 * * *", hours: [3], elapsed: true),
        Fields(text: "  0 3 * * *  ", minutes: [0], hours: [3]),
        Fields(text: "0\t3  *\n* *", minutes: [0], hours: [3]),
    ]

    @Test(arguments: accepted)
    func acceptsForm(_ expected: Fields) throws {
        let expression = try CronExpression(expected.text)
        #expect(expression.text == expected.text)
        guard case .calendar(let p) = expression.kind else {
            Issue.record("\(expected.text) is not a calendar schedule")
            return
        }
        if let v = expected.minutes { #expect(p.minutes.values == v) }
        if let v = expected.hours { #expect(p.hours.values == v) }
        if let v = expected.days { #expect(p.days.values == v) }
        if let v = expected.months { #expect(p.months.values == v) }
        if let v = expected.weekdays { #expect(p.weekdays.values == v) }
        if let v = expected.daysStarred { #expect(p.daysStarred == v) }
        if let v = expected.weekdaysStarred { #expect(p.weekdaysStarred == v) }
        if let v = expected.elapsed { #expect(expression.followsElapsedTime == v) }
    }

    @Test func descriptorsAreTheirFiveFieldForms() throws {
        let forms = [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
        ]
        for (descriptor, fields) in forms {
            let a = try CronExpression(descriptor)
            let b = try CronExpression(fields)
            #expect(a.kind == b.kind, "\(descriptor) should equal \(fields)")
            #expect(a.text == descriptor)
            #expect(a.interval == nil)
        }
        #expect(try CronExpression("@hourly").followsElapsedTime)
        #expect(try !CronExpression("@daily").followsElapsedTime)
    }

    @Test func everyTakesGoDurations() throws {
        let cases: [(String, Int)] = [
            ("@every 1h30m", 5400), ("@every 90s", 90), ("@every 1.5h", 5400), ("@every 2h45m30s", 9930),
            ("@every 1m0s", 60), ("@every 3000ms", 3), ("@every 1s", 1), ("@every 24h", 86400), ("@every +5m", 300),
            ("@every 2000000us", 2), ("@every 1h1m1h", 7260), ("@every .5m", 30), ("@every 1.m", 60),
        ]
        for (text, seconds) in cases {
            let expression = try CronExpression(text)
            #expect(expression.interval == seconds, "\(text)")
            #expect(expression.followsElapsedTime)
        }
    }

    struct Rejected: Sendable, CustomStringConvertible {
        var text: String
        var message: String
        var offset: Int
        var description: String { text }
    }

    static let five = "(minute hour day-of-month month day-of-week)"

    static let rejected: [Rejected] = [
        Rejected(text: "", message: "the schedule is empty: write 5 fields \(five), e.g. \"0 3 * * *\", or a descriptor such as @daily", offset: 0),
        Rejected(text: "   ", message: "the schedule is empty: write 5 fields \(five), e.g. \"0 3 * * *\", or a descriptor such as @daily", offset: 0),
        Rejected(text: "61 * * * *", message: "minute field: 61 is out of range 0-59", offset: 0),
        Rejected(text: "* 24 * * *", message: "hour field: 24 is out of range 0-23", offset: 2),
        Rejected(text: "* * 0 * *", message: "day-of-month field: 0 is out of range 1-31", offset: 4),
        Rejected(text: "* * 32 * *", message: "day-of-month field: 32 is out of range 1-31", offset: 4),
        Rejected(text: "* * * 13 *", message: "month field: 13 is out of range 1-12", offset: 6),
        Rejected(text: "* * * 0 *", message: "month field: 0 is out of range 1-12", offset: 6),
        Rejected(text: "* * * * 8", message: "day-of-week field: 8 is out of range 0-7", offset: 8),
        Rejected(text: "1-70 * * * *", message: "minute field: 70 is out of range 0-59", offset: 2),
        Rejected(text: "0 99999999999 * * *", message: "hour field: 99999999999 is out of range 0-23", offset: 2),
        Rejected(text: "* * * * * *", message: "expected 5 fields \(five), got 6; seconds and years are not part of a schedule", offset: 10),
        Rejected(text: "0 0 12 * * ? 2030", message: "expected 5 fields \(five), got 7; seconds and years are not part of a schedule", offset: 11),
        Rejected(text: "* * * *", message: "expected 5 fields \(five), got 4", offset: 7),
        Rejected(text: "5", message: "expected 5 fields \(five), got 1", offset: 1),
        Rejected(text: "1-2-3 * * * *", message: "minute field: \"1-2-3\" has more than one \"-\"", offset: 3),
        Rejected(text: "*/5/2 * * * *", message: "minute field: \"*/5/2\" has more than one \"/\"", offset: 3),
        Rejected(text: "*/0 * * * *", message: "minute field: the step must be at least 1, got 0", offset: 2),
        Rejected(text: "* */x * * *", message: "hour field: the step \"x\" is not a number", offset: 4),
        Rejected(text: "* 1/ * * *", message: "hour field: the step \"\" is not a number", offset: 4),
        Rejected(text: "1,,2 * * * *", message: "minute field: empty list item (two commas, or a comma at an end)", offset: 2),
        Rejected(text: ",1 * * * *", message: "minute field: empty list item (two commas, or a comma at an end)", offset: 0),
        Rejected(text: "* * * * 1,", message: "day-of-week field: empty list item (two commas, or a comma at an end)", offset: 10),
        Rejected(text: "5-1 * * * *", message: "minute field: the range 5-1 runs backwards; to wrap around write 5-59,0-1", offset: 0),
        Rejected(text: "0 22-2 * * *", message: "hour field: the range 22-2 runs backwards; to wrap around write 22-23,0-2", offset: 2),
        Rejected(text: "0 0 * * FRI-MON", message: "day-of-week field: the range 5-1 runs backwards; to wrap around write 5-6,0-1", offset: 8),
        Rejected(text: "-5 * * * *", message: "minute field: the range \"-5\" needs a start and an end", offset: 0),
        Rejected(text: "5- * * * *", message: "minute field: the range \"5-\" needs a start and an end", offset: 2),
        Rejected(text: "*-5 * * * *", message: "minute field: \"*\" stands alone or before a /step, not in \"*-5\"", offset: 0),
        Rejected(text: "x * * * *", message: "minute field: \"x\" is not a number", offset: 0),
        Rejected(text: "MON * * * *", message: "minute field: \"MON\" is not a number", offset: 0),
        Rejected(text: "0 0 * JANUARY *", message: "month field: \"JANUARY\" is not a month (1-12 or JAN-DEC)", offset: 6),
        Rejected(text: "0 0 * * MONDAY", message: "day-of-week field: \"MONDAY\" is not a day of the week (0-7 or SUN-SAT)", offset: 8),
        Rejected(text: "0 0 * * Mon-Fry", message: "day-of-week field: \"Fry\" is not a day of the week (0-7 or SUN-SAT)", offset: 12),
        Rejected(text: "0 0 L * *", message: "day-of-month field: \"L\" is not a number; L, W and # (Quartz) are not supported", offset: 4),
        Rejected(text: "0 0 15W * *", message: "day-of-month field: \"15W\" is not a number; L, W and # (Quartz) are not supported", offset: 4),
        Rejected(text: "0 0 * * 5#3", message: "day-of-week field: \"5#3\" is not a day of the week (0-7 or SUN-SAT); L, W and # (Quartz) are not supported", offset: 8),
        Rejected(text: "0 0 30 2 *", message: "day-of-month field: the schedule never runs: FEB has no day 30", offset: 4),
        Rejected(text: "0 0 30,31 FEB *", message: "day-of-month field: the schedule never runs: FEB has no day 30, 31", offset: 4),
        Rejected(text: "0 0 31 4,6,9,11 *", message: "day-of-month field: the schedule never runs: APR, JUN, SEP, NOV have no day 31", offset: 4),
        Rejected(text: "TZ=Europe/Berlin 0 3 * * *",
                 message: "the schedule cannot set its time zone (\"TZ=…\"); write it in the timeZone field (timeZone: Europe/Berlin), as Kubernetes CronJobs do", offset: 0),
        Rejected(text: " CRON_TZ=UTC @daily",
                 message: "the schedule cannot set its time zone (\"CRON_TZ=…\"); write it in the timeZone field (timeZone: UTC), as Kubernetes CronJobs do", offset: 1),
        Rejected(text: "@dayly", message: "unknown descriptor \"@dayly\" (did you mean \"@daily\"?); the descriptors are \(descriptors)", offset: 0),
        Rejected(text: "@Hourly", message: "unknown descriptor \"@Hourly\" (did you mean \"@hourly\"?); the descriptors are \(descriptors)", offset: 0),
        Rejected(text: "@reboot", message: "unknown descriptor \"@reboot\"; the descriptors are \(descriptors)", offset: 0),
        Rejected(text: "@daily 5", message: "@daily takes nothing after it", offset: 7),
        Rejected(text: "@every", message: "@every needs a duration, e.g. @every 1h30m", offset: 6),
        Rejected(text: "@every 1x", message: "@every: \"1x\" is not a duration (write e.g. 90s, 5m, 1h30m)", offset: 7),
        Rejected(text: "@every 10", message: "@every: \"10\" is not a duration (write e.g. 90s, 5m, 1h30m)", offset: 7),
        Rejected(text: "@every 1h 30m", message: "@every takes one duration, written without blanks (e.g. @every 1h30m)", offset: 10),
        Rejected(text: "@every 500ms", message: "@every: 500ms is shorter than one second, the shortest interval", offset: 7),
        Rejected(text: "@every 1.5s", message: "@every: 1.5s is not a whole number of seconds", offset: 7),
        Rejected(text: "@every -5m", message: "@every: the duration must be positive, got -5m", offset: 7),
        Rejected(text: "@every 0", message: "@every: the duration must be positive, got 0", offset: 7),
        Rejected(text: "@every 99999999999h", message: "@every: \"99999999999h\" is not a duration (write e.g. 90s, 5m, 1h30m)", offset: 7),
        // Offsets count Unicode scalars (as YAML columns do), not bytes: U+3000 is one.
        Rejected(text: "0\u{3000}0 * * 8", message: "day-of-week field: 8 is out of range 0-7", offset: 8),
        Rejected(text: "0 0 * * ö", message: "day-of-week field: \"ö\" is not a day of the week (0-7 or SUN-SAT)", offset: 8),
    ]

    static let descriptors = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>"

    @Test(arguments: rejected)
    func rejectsWithMessageAndOffset(_ expected: Rejected) {
        do {
            let expression = try CronExpression(expected.text)
            Issue.record("\"\(expected.text)\" parsed as \(expression.kind)")
        } catch {
            #expect(error.message == expected.message)
            #expect(error.offset == expected.offset)
            #expect(error.description == expected.message)
        }
    }

    @Test func anyInputGivesAScheduleOrAnError() {
        // Every field of up to four characters over the syntax's alphabet, in the minute,
        // day-of-month and day-of-week places: no crash, and whatever parses does run.
        let alphabet: [Character] = ["*", "/", "-", ",", "1", "7", "0", "?"]
        var parsed = 0
        var rejected = 0
        func visit(_ field: String, _ depth: Int) {
            if depth == 0 {
                for text in ["\(field) 0 * * 1", "0 0 \(field) * *", "0 0 * * \(field)"] {
                    if let expression = try? CronExpression(text) {
                        parsed += 1
                        #expect(expression.next(after: 0) != nil, "\(text) parsed but never runs")
                    } else {
                        rejected += 1
                    }
                }
                return
            }
            for c in alphabet { visit(field + String(c), depth - 1) }
        }
        visit("", 4)
        #expect(parsed + rejected == 3 * 4096)
        #expect(parsed > 300)
    }
}
