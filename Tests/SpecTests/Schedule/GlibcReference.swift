import Platform
import Spec
import Testing

/// The referee for zone arithmetic: glibc's `localtime`, asked through GNU `date` in a
/// child process with `TZ` set (so this test process's environment is never changed).
/// `date -f -` reads one `@seconds` per line, so one process answers thousands of instants.
enum GlibcReference {
    /// The UTC offset glibc gives for each instant, in order.
    static func offsets(zone tz: String, at instants: [Int]) async throws -> [Int] {
        let input = instants.map { "@\($0)\n" }.joined()
        let result = try await ChildProcess.run(
            ["date", "-f", "-", "+%::z"], environment: ["TZ": tz, "LC_ALL": "C"],
            stdin: Array(input.utf8), timeoutMilliseconds: 60_000, outputLimit: 16 << 20)
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        try #require(result.exitCode == 0, "date failed for TZ=\(tz): \(stderr)")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == instants.count, "date gave \(lines.count) lines for \(instants.count) instants")
        return try lines.map { line in
            // "+05:30:00" / "-03:00:00"
            let parts = line.dropFirst().split(separator: ":").compactMap { Int($0) }
            try #require(parts.count == 3, "unexpected date output \"\(line)\"")
            let seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
            return line.hasPrefix("-") ? -seconds : seconds
        }
    }

    /// Instants for comparing a zone: every ~5 days across the years given (at varying
    /// times of day), plus one second before, at and after each transition we find.
    static func sampleInstants(for zone: TimeZoneRules, fromYear: Int, toYear: Int) -> [Int] {
        let start = Timestamp.daysFromCivil(fromYear, 1, 1) * 86400
        let end = Timestamp.daysFromCivil(toYear + 1, 1, 1) * 86400
        var instants: [Int] = []
        var t = start
        var k = 0
        while t < end {
            instants.append(t)
            k += 1
            t += 5 * 86400 + (k % 24) * 3631
        }
        var from = start
        while let transition = zone.transition(after: from), transition.instant < end {
            instants += [transition.instant - 1, transition.instant, transition.instant + 1]
            from = transition.instant
        }
        return instants
    }
}

/// `2026-03-29T01:00:00Z` as seconds, for readable known answers.
func utc(_ text: String) -> Int {
    guard let seconds = Timestamp.parseSeconds(text) else { fatalError("bad timestamp in test: \(text)") }
    return seconds
}

func iso(_ seconds: Int?) -> String {
    seconds.map { Timestamp.format(seconds: $0) } ?? "nil"
}

/// Zone files are on this machine (Debian's tzdata); the zone tests need them.
let zoneDataPresent = Files.isDirectory("/usr/share/zoneinfo/Europe")

func zone(_ name: String) throws -> TimeZoneRules {
    try TimeZoneRules.load(named: name)
}
