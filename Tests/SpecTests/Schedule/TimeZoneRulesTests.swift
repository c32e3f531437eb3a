import Glibc
import Platform
import Testing

@testable import Spec

/// Zone files and POSIX rules against glibc (`localtime` through `date`, in a child process),
/// the footer past the table, damaged files, and loading by name with its errors.
@Suite(.enabled(if: zoneDataPresent, "needs /usr/share/zoneinfo (Debian's tzdata)"))
struct TimeZoneRulesTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
        "Pacific/Apia", "Africa/Casablanca", "Europe/Dublin", "America/Nuuk", "Asia/Jerusalem",
        "Antarctica/Troll", "Pacific/Chatham", "America/St_Johns", "Asia/Tehran", "Europe/London", "UTC", "Etc/GMT-14",
    ]

    @Test(arguments: zones)
    func offsetsMatchGlibc(_ name: String) async throws {
        let zone = try zone(name)
        // 1850-2100: local mean time, the table (to 2037 in Debian's fat files) and the
        // footer's rule after it; plus every transition ±1 s.
        var instants = GlibcReference.sampleInstants(for: zone, fromYear: 1850, toYear: 2100)
        instants += [utc("2400-06-01T12:00:00Z"), utc("2400-12-01T12:00:00Z"), utc("1700-01-01T00:00:00Z")]
        let expected = try await GlibcReference.offsets(zone: name, at: instants)
        var mismatches: [String] = []
        for (instant, offset) in zip(instants, expected) where zone.utcOffset(at: instant) != offset {
            mismatches.append("\(iso(instant)): ours \(zone.utcOffset(at: instant)), glibc \(offset)")
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.count) of \(instants.count) differ: \(mismatches.prefix(5))")
        #expect(instants.count > 16_000)
        for instant in instants.prefix(50) {
            #expect(zone.localSeconds(at: instant) == instant + zone.utcOffset(at: instant))
        }
    }

    static let rules = [
        "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "<-0230>2:30", "UTC0",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "IST-1GMT0,M10.5.0,M3.5.0/1", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
        "IST-2IDT,M3.4.4/26,M10.5.0", "XXX3YYY,J60/2,J300/2", "XXX3YYY,59/2,299/2",
        "NZST-12NZDT,M9.5.0,M4.1.0/3", "AAA+5BBB+4:30:15,M4.1.0/1:30:45,M9.5.6/23", "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3",
        "AAA-10BBB,J2/0,J360/24",
    ]

    @Test(arguments: rules)
    func posixRulesMatchGlibc(_ text: String) async throws {
        let zone = try TimeZoneRules(posixRule: text)
        #expect(zone.name == text)
        let instants = GlibcReference.sampleInstants(for: zone, fromYear: 1970, toYear: 2060)
        let expected = try await GlibcReference.offsets(zone: text, at: instants)
        var mismatches: [String] = []
        for (instant, offset) in zip(instants, expected) where zone.utcOffset(at: instant) != offset {
            mismatches.append("\(iso(instant)): ours \(zone.utcOffset(at: instant)), glibc \(offset)")
        }
        #expect(mismatches.isEmpty, "\(text): \(mismatches.count) of \(instants.count) differ: \(mismatches.prefix(5))")
    }

    /// Rules whose DST runs across New Year, where glibc (and Go) pick the rule by the UTC
    /// year and so miss a DST period that began in the next local year; RFC 8536 §3.3.1
    /// says what they mean.
    @Test func rulesAcrossNewYear() throws {
        // DST all year (the RFC's own example): always 4 hours behind UTC.
        let always = try TimeZoneRules(posixRule: "EST5EDT4,0/0,J365/25")
        for instant in stride(from: utc("2025-12-31T00:00:00Z"), to: utc("2027-01-02T00:00:00Z"), by: 1800) {
            #expect(always.utcOffset(at: instant) == -14400, "\(iso(instant))")
        }
        #expect(always.transition(after: 0) == nil)
        // DST from local New Year (standard time) to the end of December 31 (DST): one
        // standard hour a year, 13:00-14:00Z on December 31.
        let almost = try TimeZoneRules(posixRule: "AAA-10BBB,J1/0,J365/24")
        #expect(almost.utcOffset(at: utc("2026-12-31T12:59:59Z")) == 39600)
        #expect(almost.utcOffset(at: utc("2026-12-31T13:00:00Z")) == 36000)
        #expect(almost.utcOffset(at: utc("2026-12-31T13:59:59Z")) == 36000)
        #expect(almost.utcOffset(at: utc("2026-12-31T14:00:00Z")) == 39600)
        #expect(almost.utcOffset(at: utc("2026-12-31T16:35:00Z")) == 39600)
        #expect(almost.transition(after: utc("2026-06-01T00:00:00Z"))
                == ZoneTransition(instant: utc("2026-12-31T13:00:00Z"), offsetBefore: 39600, offsetAfter: 36000))
        #expect(almost.transition(after: utc("2026-12-31T13:00:00Z"))
                == ZoneTransition(instant: utc("2026-12-31T14:00:00Z"), offsetBefore: 36000, offsetAfter: 39600))
    }

    @Test func aDaylightNameWithoutDatesTakesTheUSRules() throws {
        let zone = try TimeZoneRules(posixRule: "XXX5YYY")
        #expect(zone.transition(after: utc("2026-01-01T00:00:00Z"))
                == ZoneTransition(instant: utc("2026-03-08T07:00:00Z"), offsetBefore: -18000, offsetAfter: -14400))
        #expect(zone.transition(after: utc("2026-03-08T07:00:00Z"))
                == ZoneTransition(instant: utc("2026-11-01T06:00:00Z"), offsetBefore: -14400, offsetAfter: -18000))
    }

    @Test func invalidPosixRulesAreRefused() {
        let cases = [
            ("", "it is empty"),
            ("CET", "the standard time name needs an offset (e.g. CET-1)"),
            ("CE-1", "standard time name must have at least three letters, got \"CE\""),
            ("CET-25", "standard time offset: hours must be 0-24, got 25"),
            ("CET-1CEST,M3.5.0", "expected a comma before the end of daylight time at \"\""),
            ("CET-1CEST,M13.5.0,M10.5.0", "start of daylight time: Mm.w.d needs a month 1-12"),
            ("CET-1CEST,M3.6.0,M10.5.0", "start of daylight time: Mm.w.d needs a week 1-5"),
            ("CET-1CEST,M3.5.7,M10.5.0", "start of daylight time: Mm.w.d needs a weekday 0-6"),
            ("CET-1CEST,J0,J300", "start of daylight time: Jn needs a day 1-365"),
            ("CET-1CEST,M3.5.0/168,M10.5.0", "time daylight time starts: hours must be 0-167, got 168"),
            ("CET-", "standard time offset: expected hours at \"\""),
            ("<+03", "standard time name: \"<\" is not closed by \">\""),
            ("CET-1CEST,M3.5.0,M10.5.0 x", "unexpected \" x\" after the rule"),
            ("CET-1:60", "standard time offset: minutes and seconds must be 0-59, got 60"),
        ]
        for (text, reason) in cases {
            #expect(throws: TimeZoneError(zone: text, kind: .malformed, message: "invalid POSIX TZ rule \"\(text)\": \(reason)")) {
                try TimeZoneRules(posixRule: text)
            }
        }
    }

    @Test func theFooterRuleContinuesTheTable() throws {
        let berlin = try zone("Europe/Berlin")
        // Debian's files are "fat" (the table runs to 2037); 2045 comes from the footer.
        #expect(try #require(berlin.tableEnd) < utc("2038-01-01T00:00:00Z"))
        #expect(berlin.rule != nil)
        #expect(berlin.transition(after: utc("2045-01-01T00:00:00Z"))
                == ZoneTransition(instant: utc("2045-03-26T01:00:00Z"), offsetBefore: 3600, offsetAfter: 7200))
        #expect(berlin.transition(after: utc("2045-03-26T01:00:00Z"))
                == ZoneTransition(instant: utc("2045-10-29T01:00:00Z"), offsetBefore: 7200, offsetAfter: 3600))
        #expect(berlin.transition(atOrBefore: utc("2045-10-29T00:59:59Z"))?.instant == utc("2045-03-26T01:00:00Z"))
        let newYork = try zone("America/New_York")
        #expect(newYork.transition(after: utc("2045-01-01T00:00:00Z"))?.instant == utc("2045-03-12T07:00:00Z"))
        #expect(newYork.transition(after: utc("2045-03-12T07:00:00Z"))?.instant == utc("2045-11-05T06:00:00Z"))
        // Zones without DST have no transitions after their last one.
        let kolkata = try zone("Asia/Kolkata")
        #expect(kolkata.transition(after: utc("2000-01-01T00:00:00Z")) == nil)
        #expect(kolkata.transition(atOrBefore: utc("2000-01-01T00:00:00Z"))?.offsetAfter == 19800)
        #expect(TimeZoneRules.utc.transition(after: 0) == nil)
        #expect(TimeZoneRules.utc.transition(atOrBefore: 0) == nil)
    }

    @Test func transitionsWalkForwardAndBackAlike() throws {
        for name in ["Europe/Berlin", "Africa/Casablanca", "Pacific/Apia", "Australia/Lord_Howe"] {
            let zone = try zone(name)
            var forward: [ZoneTransition] = []
            var at = utc("1900-01-01T00:00:00Z")
            let end = utc("2060-01-01T00:00:00Z")
            while let t = zone.transition(after: at), t.instant < end {
                #expect(t.instant > at)
                #expect(t.offsetBefore != t.offsetAfter)
                #expect(zone.utcOffset(at: t.instant - 1) == t.offsetBefore)
                #expect(zone.utcOffset(at: t.instant) == t.offsetAfter)
                forward.append(t)
                at = t.instant
            }
            var backward: [ZoneTransition] = []
            at = end - 1
            while let t = zone.transition(atOrBefore: at), t.instant > utc("1900-01-01T00:00:00Z") {
                backward.append(t)
                at = t.instant - 1
            }
            #expect(forward.count > 20, "\(name)")
            #expect(Array(backward.reversed()) == forward, "\(name)")
        }
    }

    // MARK: Wall clock → instants

    @Test func localTimesInGapsAndOverlaps() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(berlin.instants(atLocal: utc("2026-07-01T12:00:00Z")) == .unique(utc("2026-07-01T10:00:00Z")))
        #expect(berlin.instants(atLocal: utc("2026-03-29T02:30:00Z")) == .skipped(clockJumpedAt: utc("2026-03-29T01:00:00Z")))
        #expect(berlin.instants(atLocal: utc("2026-03-29T02:00:00Z")) == .skipped(clockJumpedAt: utc("2026-03-29T01:00:00Z")))
        #expect(berlin.instants(atLocal: utc("2026-03-29T03:00:00Z")) == .unique(utc("2026-03-29T01:00:00Z")))
        #expect(berlin.instants(atLocal: utc("2026-10-25T02:30:00Z"))
                == .repeated(earlier: utc("2026-10-25T00:30:00Z"), later: utc("2026-10-25T01:30:00Z")))
        #expect(berlin.instants(atLocal: utc("2026-10-25T03:00:00Z")) == .unique(utc("2026-10-25T02:00:00Z")))
        let lordHowe = try zone("Australia/Lord_Howe")
        #expect(lordHowe.instants(atLocal: utc("2026-04-05T01:45:00Z"))
                == .repeated(earlier: utc("2026-04-04T14:45:00Z"), later: utc("2026-04-04T15:15:00Z")))
        #expect(lordHowe.instants(atLocal: utc("2026-10-04T02:15:00Z")) == .skipped(clockJumpedAt: utc("2026-10-03T15:30:00Z")))
        // Samoa skipped a whole day, 2011-12-30.
        let apia = try zone("Pacific/Apia")
        #expect(apia.instants(atLocal: utc("2011-12-30T12:00:00Z")) == .skipped(clockJumpedAt: utc("2011-12-30T10:00:00Z")))
        #expect(TimeZoneRules.utc.instants(atLocal: 0) == .unique(0))
    }

    @Test func everyInstantIsFoundFromItsWallClockTime() throws {
        for name in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Africa/Casablanca"] {
            let zone = try zone(name)
            for instant in GlibcReference.sampleInstants(for: zone, fromYear: 2008, toYear: 2030) {
                let local = zone.localSeconds(at: instant)
                switch zone.instants(atLocal: local) {
                case .unique(let u): #expect(u == instant, "\(name) \(iso(instant))")
                case .repeated(let a, let b): #expect(a == instant || b == instant, "\(name) \(iso(instant))")
                case .skipped: Issue.record("\(name): \(iso(instant)) shows a time that is skipped")
                }
            }
        }
    }

    // MARK: TZif files

    /// A TZif file: `transitions` are (instant, type index); types are UTC offsets.
    static func tzif(version: UInt8, transitions: [(Int, UInt8)], offsets: [Int32], footer: String?, leaps: Int = 0) -> [UInt8] {
        func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
        func be64(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
        func block(timeSize: Int) -> [UInt8] {
            var out = Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
            let abbreviations = Array("AAA\0BBB\0".utf8)
            for count in [0, 0, leaps, transitions.count, offsets.count, abbreviations.count] { out += be32(Int32(count)) }
            for (t, _) in transitions { out += timeSize == 8 ? be64(Int64(t)) : be32(Int32(truncatingIfNeeded: t)) }
            out += transitions.map(\.1)
            for (i, offset) in offsets.enumerated() { out += be32(offset) + [i % 2 == 0 ? 0 : 1, UInt8(i % 2 * 4)] }
            out += abbreviations
            for _ in 0..<leaps { out += (timeSize == 8 ? be64(0) : be32(0)) + be32(1) }
            return out
        }
        var bytes = block(timeSize: 4)
        if version != 0 { bytes += block(timeSize: 8) + Array("\n\(footer ?? "")\n".utf8) }
        return bytes
    }

    @Test func slimFilesEndEarlyAndTheRuleTakesOver() async throws {
        // Like a "slim" Europe/Berlin: the table stops in 1996, the rule does the rest.
        let slim = Self.tzif(version: UInt8(ascii: "2"),
                             transitions: [(utc("1996-03-31T01:00:00Z"), 1), (utc("1996-10-27T01:00:00Z"), 0)],
                             offsets: [3600, 7200], footer: "CET-1CEST,M3.5.0,M10.5.0/3")
        let zone = try TimeZoneRules(name: "Slim/Berlin", tzif: slim)
        #expect(zone.name == "Slim/Berlin")
        var instants: [Int] = []
        for k in 0..<4000 { instants.append(utc("1997-01-01T00:00:00Z") + k * 8 * 86400 + k * 1117) }
        var from = utc("1996-06-01T00:00:00Z")
        while let t = zone.transition(after: from), t.instant < utc("2080-01-01T00:00:00Z") {
            instants += [t.instant - 1, t.instant]
            from = t.instant
        }
        let expected = try await GlibcReference.offsets(zone: "Europe/Berlin", at: instants)
        let ours = instants.map { zone.utcOffset(at: $0) }
        #expect(ours == expected)
        #expect(zone.utcOffset(at: utc("1990-01-01T00:00:00Z")) == 3600)  // type 0 before the table
    }

    @Test func version1FilesKeepTheirLastOffset() throws {
        let v1 = Self.tzif(version: 0, transitions: [(-1_000_000, 1), (1_000_000, 0), (2_000_000, 1)],
                           offsets: [-18000, -14400], footer: nil)
        let zone = try TimeZoneRules(name: "Old/Zone", tzif: v1)
        #expect(zone.utcOffset(at: -2_000_000) == -18000)
        #expect(zone.utcOffset(at: 0) == -14400)
        #expect(zone.utcOffset(at: 1_500_000) == -18000)
        #expect(zone.utcOffset(at: 2_000_000) == -14400)
        #expect(zone.utcOffset(at: 2_000_000_000) == -14400)
        #expect(zone.transition(after: 2_000_000) == nil)
        #expect(zone.transition(after: 0) == ZoneTransition(instant: 1_000_000, offsetBefore: -14400, offsetAfter: -18000))
        #expect(zone.rule == nil)
    }

    @Test func damagedFilesAreErrorsNeverCrashes() throws {
        let bytes = try Files.read("/usr/share/zoneinfo/Europe/Berlin")
        var refused = 0
        for length in 0..<bytes.count {
            if (try? TimeZoneRules(name: "Europe/Berlin", tzif: Array(bytes.prefix(length)))) == nil { refused += 1 }
        }
        // Cut anywhere before the footer's last newline, the file is refused.
        #expect(refused == bytes.count)
        #expect((try? TimeZoneRules(name: "Europe/Berlin", tzif: bytes)) != nil)
        // Every byte set to each of a few values: an error or a zone, no crash.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var damaged = bytes
            for _ in 0..<3 { damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            if let zone = try? TimeZoneRules(name: "X", tzif: damaged) {
                _ = zone.utcOffset(at: 1_800_000_000)
                _ = zone.transition(after: 1_800_000_000)
            }
        }
        #expect(throws: TimeZoneError.self) {
            try TimeZoneRules(name: "X", tzif: Self.tzif(version: UInt8(ascii: "2"), transitions: [(5, 0), (3, 1)],
                                                      offsets: [0, 3600], footer: ""))
        }
        #expect(throws: TimeZoneError.self) {
            try TimeZoneRules(name: "X", tzif: Self.tzif(version: UInt8(ascii: "2"), transitions: [(5, 2)], offsets: [0, 3600], footer: ""))
        }
        #expect(throws: TimeZoneError(zone: "X", kind: .malformed,
                                      message: "time zone \"X\": not a valid zone file (its POSIX TZ rule \"nonsense\" is invalid: the standard time name needs an offset (e.g. CET-1))")) {
            try TimeZoneRules(name: "X", tzif: Self.tzif(version: UInt8(ascii: "3"), transitions: [], offsets: [0], footer: "nonsense"))
        }
    }

    // MARK: Loading by name

    @Test func loadsByNameAndExplainsWhatIsWrong() throws {
        #expect(try TimeZoneRules.load(named: "Europe/Berlin").name == "Europe/Berlin")
        func failure(_ name: String, searchPath: [String] = TimeZoneRules.systemZoneFolders) -> TimeZoneError? {
            do {
                _ = try TimeZoneRules.load(named: name, searchPath: searchPath)
                return nil
            } catch {
                return error
            }
        }
        let typo = failure("Europe/Berln")
        #expect(typo?.kind == .unknownZone)
        #expect(typo?.message == "unknown time zone \"Europe/Berln\" (did you mean \"Europe/Berlin\"?)")
        #expect(typo?.suggestion == "Europe/Berlin")
        #expect(typo?.zone == "Europe/Berln")
        #expect(failure("Berlin")?.suggestion == "Europe/Berlin")
        #expect(failure("Kolkatta")?.suggestion == "Asia/Kolkata")
        #expect(failure("europe/berlin")?.suggestion == "Europe/Berlin")
        #expect(failure("America/New York")?.kind == .invalidName)
        #expect(failure("America/New York")?.message
                == "\"America/New York\" is not a time zone name: \" \" is not allowed in it; IANA names look like \"Europe/Berlin\", \"America/New_York\" or \"UTC\" (did you mean \"America/New_York\"?)")
        #expect(failure("Local")?.message
                == "\"Local\" is not a time zone: name one explicitly (the machine's own zone is never used); IANA names look like \"Europe/Berlin\", \"America/New_York\" or \"UTC\"")
        #expect(failure("local")?.kind == .invalidName)
        #expect(failure("")?.message == "the time zone name is empty; IANA names look like \"Europe/Berlin\", \"America/New_York\" or \"UTC\"")
        #expect(failure("../../etc/passwd")?.message
                == "\"../../etc/passwd\" is not a time zone name: \"..\" is not allowed; IANA names look like \"Europe/Berlin\", \"America/New_York\" or \"UTC\"")
        #expect(failure("/etc/localtime")?.kind == .invalidName)
        #expect(failure("Europe//Berlin")?.kind == .invalidName)
        #expect(failure("America/Argentina_Buenos_Aires")?.message.contains("longer than 14 characters") == true)
        #expect(failure("-Europe")?.kind == .invalidName)
        #expect(failure("Europe")?.message == "unknown time zone \"Europe\": it is a group of zones; name one of them (e.g. \"Europe/Amsterdam\")")
        #expect(failure("zone.tab")?.message
                == "time zone \"zone.tab\": not a valid zone file (no TZif header) (/usr/share/zoneinfo/zone.tab)")
        #expect(failure("Europe/Berlin", searchPath: ["/usr/share/zoneinfo/right"])?.message
                == "time zone \"Europe/Berlin\": zone files with leap seconds (\"right/…\") are not supported; use the zone without \"right/\" (/usr/share/zoneinfo/right/Europe/Berlin)")
    }

    @Test func utcAndFixedOffsetsNeedNoZoneData() throws {
        let nowhere = ["/nonexistent/zoneinfo"]
        for name in ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Universal", "UCT", "Etc/GMT+0", "GMT-0"] {
            let zone = try TimeZoneRules.load(named: name, searchPath: nowhere)
            #expect(zone.utcOffset(at: 1_800_000_000) == 0, "\(name)")
            #expect(zone.name == name)
        }
        #expect(try TimeZoneRules.load(named: "Etc/GMT-14", searchPath: nowhere).utcOffset(at: 0) == 14 * 3600)
        #expect(try TimeZoneRules.load(named: "Etc/GMT+12", searchPath: nowhere).utcOffset(at: 0) == -12 * 3600)
        #expect(try TimeZoneRules.load(named: "Etc/GMT-5", searchPath: nowhere).utcOffset(at: 0) == 5 * 3600)
        // The built-in Etc/GMT±N agree with the files (whose signs are POSIX's, inverted).
        for n in 1...12 {
            #expect(try TimeZoneRules.load(named: "Etc/GMT+\(n)").utcOffset(at: 0) == -n * 3600)
        }
        do {
            _ = try TimeZoneRules.load(named: "Europe/Berlin", searchPath: nowhere)
            Issue.record("loaded Europe/Berlin without zone data")
        } catch {
            #expect(error.kind == .noZoneData)
            #expect(error.message == "unknown time zone \"Europe/Berlin\": this machine has no time zone data (looked in /nonexistent/zoneinfo); "
                    + "install Debian's tzdata package or copy /usr/share/zoneinfo into the image, or set ZONEINFO to a copy (built in without data: UTC and Etc/GMT±N only)")
        }
        for name in ["Etc/GMT-15", "Etc/GMT+13", "Etc/GMT+05", "Etc/GMT+"] {
            #expect(throws: TimeZoneError.self, "\(name)") { try TimeZoneRules.load(named: name, searchPath: nowhere) }
        }
    }

    @Test func zoneinfoComesFirst() throws {
        #expect(TimeZoneRules.searchPath(zoneinfo: nil) == TimeZoneRules.systemZoneFolders)
        #expect(TimeZoneRules.searchPath(zoneinfo: "") == TimeZoneRules.systemZoneFolders)
        #expect(TimeZoneRules.searchPath(zoneinfo: "/opt/zones") == ["/opt/zones"] + TimeZoneRules.systemZoneFolders)
        // A folder of our own, with a zone the system does not have.
        let folder = "/tmp/yopf-zoneinfo-\(getpid())"
        _ = mkdir(folder, 0o755)
        _ = mkdir(folder + "/My", 0o755)
        defer {
            unlink(folder + "/My/Zone")
            rmdir(folder + "/My")
            rmdir(folder)
        }
        try Files.write(try Files.read("/usr/share/zoneinfo/Asia/Kolkata"), to: folder + "/My/Zone")
        let zone = try TimeZoneRules.load(named: "My/Zone", searchPath: TimeZoneRules.searchPath(zoneinfo: folder))
        #expect(zone.utcOffset(at: 1_800_000_000) == 19800)
        #expect(try TimeZoneRules.load(named: "Europe/Berlin", searchPath: TimeZoneRules.searchPath(zoneinfo: folder))
                .utcOffset(at: utc("2026-07-01T00:00:00Z")) == 7200)
    }
}
