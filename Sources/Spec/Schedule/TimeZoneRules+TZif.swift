/// Reading TZif files (RFC 8536), the compiled zone files under /usr/share/zoneinfo.
///
/// Versions 1 to 4: a version 1 file is read from its 32-bit block; later versions from the
/// 64-bit block that follows, plus the footer's POSIX TZ rule for instants after the last
/// transition. Only UTC offsets are kept (names, the DST flag and the standard/UT
/// indicators do not change when a schedule runs). Files with leap-second records (the
/// `right/` zones) are refused: their transition times are not POSIX time. Every count and
/// index is checked against the file's length, so a damaged file is an error, never a crash.
extension TimeZoneRules {
    /// Reads the bytes of a TZif file; `name` names the zone in errors and in `name`.
    public init(name: String, tzif bytes: [UInt8]) throws(TimeZoneError) {
        func bad(_ what: String) -> TimeZoneError {
            TimeZoneError(zone: name, kind: .malformed, message: "time zone \"\(name)\": not a valid zone file (\(what))")
        }
        var reader = ByteReader(bytes: bytes)
        guard let first = reader.header() else { throw bad("no TZif header") }
        var header = first
        var timeSize = 4
        if first.version >= 2 {
            // Skip the version 1 block; the 64-bit one after it is complete.
            guard reader.skip(header.blockSize(timeSize: 4)), let second = reader.header() else {
                throw bad("truncated after the version 1 data")
            }
            header = second
            timeSize = 8
        }
        guard header.typeCount >= 1 else { throw bad("no local time types") }
        guard header.leapCount == 0 else {
            throw TimeZoneError(zone: name, kind: .malformed,
                                message: "time zone \"\(name)\": zone files with leap seconds (\"right/…\") are not supported; use the zone without \"right/\"")
        }
        guard reader.remaining >= header.blockSize(timeSize: timeSize) else { throw bad("truncated data") }

        var times: [Int] = []
        times.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            let t = timeSize == 8 ? reader.int64() : reader.int32()
            if let previous = times.last, t <= previous { throw bad("transition times are not in ascending order") }
            times.append(t)
        }
        var typeIndices: [Int] = []
        for _ in 0..<header.timeCount {
            let index = reader.uint8()
            guard index < header.typeCount else { throw bad("transition names time type \(index) of \(header.typeCount)") }
            typeIndices.append(index)
        }
        var offsets: [Int] = []
        for _ in 0..<header.typeCount {
            let offset = reader.int32()
            _ = reader.uint8()  // isdst
            _ = reader.uint8()  // designation index
            // RFC 8536: -89999 ... 93599 (within ±26 h); anything else is damage.
            guard (-89_999...93_599).contains(offset) else { throw bad("UTC offset \(offset) s out of range") }
            offsets.append(offset)
        }
        _ = reader.skip(header.characterCount + header.standardCount + header.utCount)

        var rule: PosixTimeZoneRule?
        if timeSize == 8 {
            // Footer: "\n" rule "\n"; an empty rule means none.
            guard reader.uint8() == 10, let text = reader.line() else { throw bad("no footer after the data") }
            if !text.isEmpty {
                do {
                    rule = try PosixTimeZoneRule(parsing: text)
                } catch {
                    throw bad("its POSIX TZ rule \"\(text)\" is invalid: \(error.message)")
                }
            }
        }
        let transitions = zip(times, typeIndices).map { (at: $0, offset: offsets[$1]) }
        self.init(name: name, transitions: transitions, initialOffset: offsets[0], rule: rule)
    }
}

/// Big-endian reads over a byte array that never go past its end (reads beyond it give 0;
/// callers check `remaining` first where it matters).
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    struct Header {
        var version: Int
        var utCount, standardCount, leapCount, timeCount, typeCount, characterCount: Int

        func blockSize(timeSize: Int) -> Int {
            timeCount * (timeSize + 1) + typeCount * 6 + characterCount + leapCount * (timeSize + 4)
                + standardCount + utCount
        }
    }

    var remaining: Int { bytes.count - position }

    /// "TZif", the version, 15 reserved bytes and six counts.
    mutating func header() -> Header? {
        guard remaining >= 44, Array(bytes[position..<position + 4]) == Array("TZif".utf8) else { return nil }
        let versionByte = bytes[position + 4]
        position += 20
        let version = versionByte == 0 ? 1 : Int(versionByte) - 48
        guard version >= 1 else { return nil }
        let counts = (0..<6).map { _ in Int(UInt32(bitPattern: Int32(truncatingIfNeeded: int32()))) }
        // A zone file is a few kilobytes; counts beyond the file's size are damage.
        guard counts.allSatisfy({ $0 <= bytes.count }) else { return nil }
        return Header(version: version, utCount: counts[0], standardCount: counts[1], leapCount: counts[2],
                      timeCount: counts[3], typeCount: counts[4], characterCount: counts[5])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count <= remaining else { return false }
        position += count
        return true
    }

    mutating func uint8() -> Int {
        guard remaining >= 1 else { return 0 }
        defer { position += 1 }
        return Int(bytes[position])
    }

    mutating func int32() -> Int {
        guard remaining >= 4 else { position = bytes.count; return 0 }
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 8 | UInt32(bytes[position + k]) }
        position += 4
        return Int(Int32(bitPattern: v))
    }

    mutating func int64() -> Int {
        guard remaining >= 8 else { position = bytes.count; return 0 }
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(bytes[position + k]) }
        position += 8
        return Int(Int64(bitPattern: v))
    }

    /// Text up to the next newline (consumed); nil without one.
    mutating func line() -> String? {
        guard let end = bytes[position...].firstIndex(of: 10) else { return nil }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }
}
