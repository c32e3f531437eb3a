import Testing

@testable import Platform

@Suite struct Base64Tests {
    @Test func roundTrips() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let e = Base64.encode(Array(s.utf8))
            #expect(Base64.decode(e) == Array(s.utf8))
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.decode("Zm9v\nYg") == Array("foob".utf8))
        #expect(Base64.decode("not base64!") == nil)
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParses() {
        #expect(Timestamp.format(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(seconds: 1_795_000_000) == "2026-11-18T11:06:40Z")
        #expect(Timestamp.parseSeconds("2026-11-18T11:06:40Z") == 1_795_000_000)
        #expect(Timestamp.parseSeconds("2026-11-18T12:06:40+01:00") == 1_795_000_000)
        #expect(Timestamp.parseSeconds("2026-11-18T11:06:40.123456Z") == 1_795_000_000)
        #expect(Timestamp.parseSeconds("yesterday") == nil)
    }

    @Test func calendarArithmetic() {
        // Days <-> dates round-trip across four centuries either side of 1970.
        for day in stride(from: -300_000, through: 300_000, by: 7) {
            let (y, m, d) = Timestamp.civilFromDays(day)
            #expect(Timestamp.daysFromCivil(y, m, d) == day)
            #expect((1...Timestamp.daysInMonth(year: y, month: m)).contains(d))
        }
        #expect(Timestamp.civilFromDays(0) == (1970, 1, 1))
        #expect(Timestamp.civilFromDays(-1) == (1969, 12, 31))
        #expect(Timestamp.civilFromDays(Timestamp.daysFromCivil(2000, 2, 29)) == (2000, 2, 29))
        #expect(Timestamp.weekday(ofDay: 0) == 4)  // Thursday
        #expect(Timestamp.weekday(ofDay: -4) == 0)  // 1969-12-28, a Sunday
        #expect(Timestamp.weekday(ofDay: Timestamp.daysFromCivil(2026, 3, 29)) == 0)
        #expect(Timestamp.daysInMonth(year: 2024, month: 2) == 29)
        #expect(Timestamp.daysInMonth(year: 2100, month: 2) == 28)
        #expect(Timestamp.daysInMonth(year: 2000, month: 2) == 29)
        #expect(Timestamp.daysInMonth(year: 2026, month: 4) == 30)
        #expect(Timestamp.daysFromCivil(2026, 3, 0) == Timestamp.daysFromCivil(2026, 2, 28))
    }
}

@Suite struct ChildProcessTests {
    @Test func capturesOutputsExitCodeAndStdin() async throws {
        let r = try await ChildProcess.run(["sh", "-c", "cat; echo err >&2; exit 3"], stdin: Array("hello".utf8))
        #expect(r.exitCode == 3)
        #expect(String(decoding: r.stdout, as: UTF8.self) == "hello")
        #expect(String(decoding: r.stderr, as: UTF8.self) == "err\n")
    }

    @Test func largeStdinAndOutputDoNotDeadlock() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        let r = try await ChildProcess.run(["cat"], stdin: input, outputLimit: 4 << 20)
        #expect(r.stdout.count == input.count)
    }

    @Test func timeoutKills() async throws {
        let r = try await ChildProcess.run(["sleep", "5"], timeoutMilliseconds: 200)
        #expect(r.timedOut)
        #expect(r.exitCode == 128 + 9)
    }

    @Test func missingProgramIsAnError() async {
        await #expect(throws: ProcessError.self) {
            _ = try await ChildProcess.run(["/nonexistent/program"])
        }
    }
}
