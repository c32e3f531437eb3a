/// Reading a cron schedule: the syntax a Kubernetes CronJob's `schedule` accepts
/// (robfig/cron v3 `ParseStandard`), with these differences, each a mistake Kubernetes lets
/// through or a convenience cron users expect:
/// - day-of-week `7` is Sunday, as in Vixie cron (robfig stops at 6);
/// - empty list items (`1,,2`), `*` inside a range (`*-5`) and a day of the month that no
///   month of the schedule has (`0 0 30 2 *`, which never runs) are errors;
/// - `@every` durations must be whole seconds, at least one (robfig rounds down, and to 1 s);
/// - blanks around the schedule are ignored.
/// Errors say which field and what is wrong, with the offset of the offending text.
extension CronExpression {
    /// Parses a schedule such as `*/15 * * * *`, `0 3 * * MON-FRI`, `@daily`, `@every 90s`.
    public init(_ text: String) throws(CronSyntaxError) {
        self.text = text
        self.kind = try CronParser(text).parse()
    }
}

private struct CronParser {
    let chars: [Unicode.Scalar]

    init(_ text: String) { chars = Array(text.unicodeScalars) }

    /// A piece of the text and where it starts.
    struct Token {
        var chars: ArraySlice<Unicode.Scalar>
        var offset: Int { chars.startIndex }
        var text: String { String(String.UnicodeScalarView(chars)) }
    }

    static let fieldsHint = "minute hour day-of-month month day-of-week"

    func parse() throws(CronSyntaxError) -> CronExpression.Kind {
        let tokens = split(chars[...], by: { $0.properties.isWhitespace })
        guard let first = tokens.first else {
            throw CronSyntaxError(message: "the schedule is empty: write 5 fields (\(Self.fieldsHint)), e.g. \"0 3 * * *\", or a descriptor such as @daily",
                                  offset: 0)
        }
        for prefix in ["TZ=", "CRON_TZ="] where first.text.hasPrefix(prefix) {
            let zone = String(first.text.dropFirst(prefix.count))
            throw CronSyntaxError(message: "the schedule cannot set its time zone (\"\(prefix)…\"); write it in the timeZone field"
                                    + (zone.isEmpty ? "" : " (timeZone: \(zone))") + ", as Kubernetes CronJobs do",
                                  offset: first.offset)
        }
        if first.chars.first == "@" { return try descriptor(tokens) }
        guard tokens.count == 5 else {
            let extra = tokens.count > 5 ? "; seconds and years are not part of a schedule" : ""
            throw CronSyntaxError(message: "expected 5 fields (\(Self.fieldsHint)), got \(tokens.count)\(extra)",
                                  offset: tokens.count > 5 ? tokens[5].offset : tokens.last!.chars.endIndex)
        }
        let pattern = try calendar(tokens)
        guard pattern.canRun else {
            let months = pattern.months.values.map { Field.month.names[$0 - 1] }.joined(separator: ", ")
            let days = pattern.days.values.map(String.init).joined(separator: ", ")
            throw CronSyntaxError(message: "day-of-month field: the schedule never runs: \(months) \(pattern.months.values.count == 1 ? "has" : "have") no day \(days)",
                                  offset: tokens[2].offset)
        }
        return .calendar(pattern)
    }

    // MARK: Descriptors

    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let descriptorList = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>"

    func descriptor(_ tokens: [Token]) throws(CronSyntaxError) -> CronExpression.Kind {
        let word = tokens[0].text
        if let fields = Self.descriptors[word] {
            guard tokens.count == 1 else {
                throw CronSyntaxError(message: "\(word) takes nothing after it", offset: tokens[1].offset)
            }
            let expanded = Array(fields.unicodeScalars)
            return .calendar(try CronParser(chars: expanded).calendar(split(expanded[...], by: { $0 == " " })))
        }
        if word == "@every" {
            guard tokens.count >= 2 else {
                throw CronSyntaxError(message: "@every needs a duration, e.g. @every 1h30m", offset: tokens[0].chars.endIndex)
            }
            guard tokens.count == 2 else {
                throw CronSyntaxError(message: "@every takes one duration, written without blanks (e.g. @every 1h30m)",
                                      offset: tokens[2].offset)
            }
            return .every(try everySeconds(tokens[1]))
        }
        let known = Array(Self.descriptors.keys).sorted() + ["@every"]
        let guess = Suggestion.closest(to: word, among: known)
        throw CronSyntaxError(message: "unknown descriptor \"\(word)\"" + (guess.map { " (did you mean \"\($0)\"?)" } ?? "")
                                + "; the descriptors are \(Self.descriptorList)",
                              offset: tokens[0].offset)
    }

    private init(chars: [Unicode.Scalar]) { self.chars = chars }

    /// `@every` durations in Go's syntax (`1h30m`, `90s`, `1.5h`, `2h45m30s`), whole seconds.
    func everySeconds(_ token: Token) throws(CronSyntaxError) -> Int {
        let text = token.text
        guard let nanoseconds = GoDuration.nanoseconds(token.chars) else {
            throw CronSyntaxError(message: "@every: \"\(text)\" is not a duration (write e.g. 90s, 5m, 1h30m)", offset: token.offset)
        }
        guard nanoseconds > 0 else {
            throw CronSyntaxError(message: "@every: the duration must be positive, got \(text)", offset: token.offset)
        }
        guard nanoseconds >= 1_000_000_000 else {
            throw CronSyntaxError(message: "@every: \(text) is shorter than one second, the shortest interval", offset: token.offset)
        }
        guard nanoseconds % 1_000_000_000 == 0 else {
            throw CronSyntaxError(message: "@every: \(text) is not a whole number of seconds", offset: token.offset)
        }
        return nanoseconds / 1_000_000_000
    }

    // MARK: Fields

    struct Field {
        var name: String
        var min: Int
        var max: Int
        /// Three-letter names, the first for `min`.
        var names: [String] = []
        /// The largest value written (day-of-week allows 7 for Sunday).
        var maxWritten: Int { name == "day-of-week" ? 7 : max }

        static let minute = Field(name: "minute", min: 0, max: 59)
        static let hour = Field(name: "hour", min: 0, max: 23)
        static let dayOfMonth = Field(name: "day-of-month", min: 1, max: 31)
        static let month = Field(name: "month", min: 1, max: 12,
                                 names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
        static let dayOfWeek = Field(name: "day-of-week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])
    }

    func calendar(_ tokens: [Token]) throws(CronSyntaxError) -> CalendarPattern {
        let minutes = try field(tokens[0], .minute)
        let hours = try field(tokens[1], .hour)
        let days = try field(tokens[2], .dayOfMonth)
        let months = try field(tokens[3], .month)
        let weekdays = try field(tokens[4], .dayOfWeek)
        let wild: (Token) -> Bool = { $0.chars.first == "*" || $0.chars.first == "?" }
        return CalendarPattern(minutes: minutes.set, hours: hours.set, days: days.set, months: months.set,
                               weekdays: weekdays.set, daysStarred: days.starred, weekdaysStarred: weekdays.starred,
                               followsElapsedTime: wild(tokens[0]) || wild(tokens[1]))
    }

    /// A comma-separated list of `*`, `?`, values and ranges, each with an optional `/step`.
    func field(_ token: Token, _ field: Field) throws(CronSyntaxError) -> (set: FieldSet, starred: Bool) {
        var set = FieldSet()
        var starred = false
        let items = split(token.chars, by: { $0 == "," }, keepEmpty: true)
        for item in items {
            guard !item.chars.isEmpty else {
                throw CronSyntaxError(message: "\(field.name) field: empty list item (two commas, or a comma at an end)",
                                      offset: item.offset)
            }
            let parts = split(item.chars, by: { $0 == "/" }, keepEmpty: true)
            guard parts.count <= 2 else {
                throw CronSyntaxError(message: "\(field.name) field: \"\(item.text)\" has more than one \"/\"", offset: parts[2].offset - 1)
            }
            var step = 1
            if parts.count == 2 {
                let text = parts[1].text
                guard let value = Self.number(parts[1].chars) else {
                    throw CronSyntaxError(message: "\(field.name) field: the step \"\(text)\" is not a number", offset: parts[1].offset)
                }
                guard value >= 1 else {
                    throw CronSyntaxError(message: "\(field.name) field: the step must be at least 1, got \(text)", offset: parts[1].offset)
                }
                step = value
            }
            let base = parts[0]
            var low: Int
            var high: Int
            if base.chars.first == "*" || base.chars.first == "?" {
                guard base.chars.count == 1 else {
                    throw CronSyntaxError(message: "\(field.name) field: \"\(base.chars.first!)\" stands alone or before a /step, not in \"\(base.text)\"",
                                          offset: base.offset)
                }
                (low, high) = (field.min, field.max)
                if step == 1 { starred = true }
            } else {
                let bounds = split(base.chars, by: { $0 == "-" }, keepEmpty: true)
                guard bounds.count <= 2 else {
                    throw CronSyntaxError(message: "\(field.name) field: \"\(base.text)\" has more than one \"-\"", offset: bounds[2].offset - 1)
                }
                if let empty = bounds.first(where: { $0.chars.isEmpty }) {
                    throw CronSyntaxError(message: "\(field.name) field: the range \"\(base.text)\" needs a start and an end", offset: empty.offset)
                }
                low = try value(bounds[0], field)
                if bounds.count == 2 {
                    high = try value(bounds[1], field)
                    guard low <= high else {
                        throw CronSyntaxError(message: "\(field.name) field: the range \(low)-\(high) runs backwards; to wrap around write \(low)-\(field.max),\(field.min)-\(high)",
                                              offset: base.offset)
                    }
                } else {
                    // `N/step` is N through the end of the field, stepping (robfig, Vixie).
                    high = parts.count == 2 ? Swift.max(field.max, low) : low
                }
            }
            for v in stride(from: low, through: high, by: step) {
                set.insert(field.name == "day-of-week" && v == 7 ? 0 : v)
            }
        }
        return (set, starred)
    }

    /// A number in the field's range, or (month, day-of-week) a three-letter name.
    func value(_ token: Token, _ field: Field) throws(CronSyntaxError) -> Int {
        if let index = field.names.firstIndex(where: { $0 == token.text.uppercased() }) { return field.min + index }
        guard let n = Self.number(token.chars) else {
            var message = "\(field.name) field: \"\(token.text)\" is not "
            switch field.name {
            case "month": message += "a month (1-12 or JAN-DEC)"
            case "day-of-week": message += "a day of the week (0-7 or SUN-SAT)"
            default: message += "a number"
            }
            if field.name.hasPrefix("day"), token.chars.contains(where: { $0 == "L" || $0 == "W" || $0 == "#" }) {
                message += "; L, W and # (Quartz) are not supported"
            }
            throw CronSyntaxError(message: message, offset: token.offset)
        }
        guard n >= field.min, n <= field.maxWritten else {
            throw CronSyntaxError(message: "\(field.name) field: \(token.text) is out of range \(field.min)-\(field.maxWritten)", offset: token.offset)
        }
        return n
    }

    /// Decimal digits only (nil for anything else); values past a billion stay a billion,
    /// which every range check refuses and every step treats alike.
    static func number(_ chars: ArraySlice<Unicode.Scalar>) -> Int? {
        guard !chars.isEmpty else { return nil }
        var n = 0
        for c in chars {
            guard c.value >= 48, c.value <= 57 else { return nil }
            n = Swift.min(n * 10 + Int(c.value - 48), 1_000_000_000)
        }
        return n
    }

    /// Pieces of `chars` between separators, with their offsets.
    func split(_ chars: ArraySlice<Unicode.Scalar>, by isSeparator: (Unicode.Scalar) -> Bool, keepEmpty: Bool = false) -> [Token] {
        var tokens: [Token] = []
        var start = chars.startIndex
        for i in chars.indices where isSeparator(chars[i]) {
            if keepEmpty || i > start { tokens.append(Token(chars: chars[start..<i])) }
            start = i + 1
        }
        if keepEmpty || start < chars.endIndex { tokens.append(Token(chars: chars[start..<chars.endIndex])) }
        return tokens
    }
}

/// Go's `time.ParseDuration` syntax: `[-+]` then numbers with optional fractions, each with
/// a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), or `0` alone.
enum GoDuration {
    static let units: [String: Int] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// The duration in nanoseconds, or nil when the text is not one (or does not fit).
    static func nanoseconds(_ chars: ArraySlice<Unicode.Scalar>) -> Int? {
        var i = chars.startIndex
        var sign = 1
        if i < chars.endIndex, chars[i] == "-" || chars[i] == "+" {
            if chars[i] == "-" { sign = -1 }
            i += 1
        }
        if chars[i...].elementsEqual("0".unicodeScalars) { return 0 }
        guard i < chars.endIndex else { return nil }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
        var total = 0
        while i < chars.endIndex {
            var whole = 0
            var digits = 0
            while i < chars.endIndex, isDigit(chars[i]) {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(chars[i].value - 48))
                guard !o1, !o2 else { return nil }
                whole = a
                digits += 1
                i += 1
            }
            var fraction = 0
            var scale = 1
            if i < chars.endIndex, chars[i] == "." {
                i += 1
                while i < chars.endIndex, isDigit(chars[i]) {
                    if scale < 1_000_000_000_000_000 {  // further digits are below a nanosecond
                        fraction = fraction * 10 + Int(chars[i].value - 48)
                        scale *= 10
                    }
                    digits += 1
                    i += 1
                }
            }
            guard digits > 0 else { return nil }
            var unit = ""
            while i < chars.endIndex, !isDigit(chars[i]), chars[i] != "." {
                unit.unicodeScalars.append(chars[i])
                i += 1
            }
            guard let size = units[unit] else { return nil }
            let (part, o3) = whole.multipliedReportingOverflow(by: size)
            let (sum, o4) = total.addingReportingOverflow(part)
            guard !o3, !o4 else { return nil }
            // fraction/scale of a unit, in nanoseconds (exact enough: below 1 ns is dropped).
            let (fractional, o5) = fraction.multipliedReportingOverflow(by: size)
            let (sum2, o6) = sum.addingReportingOverflow(o5 ? Int(Double(fraction) * Double(size) / Double(scale)) : fractional / scale)
            guard !o6 else { return nil }
            total = sum2
        }
        return sign * total
    }
}
