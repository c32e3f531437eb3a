import Platform

/// Finding a zone by its IANA name (`Europe/Berlin`, `UTC`, `Etc/GMT-2`).
///
/// Zone files are read from `$ZONEINFO` when it names a folder (Go reads the same variable;
/// its zip form is not read here), then from /usr/share/zoneinfo (Debian's `tzdata`) and the
/// other folders Go looks in on Unix. When no file is found, the zones that never change are
/// built in: UTC under all its names and the fixed offsets `Etc/GMT±N` — so a schedule in
/// UTC works in an image without zone data, and any other zone needs the data (an embedded
/// copy of the rules would silently go stale when a country changes its clocks).
///
/// Names are checked as Kubernetes checks a CronJob's `timeZone` (each `/`-part 1–14
/// characters of letters, digits, `.`, `-`, `_`, `+`; no `.`/`..` parts; `Local` refused), so
/// a name can never reach outside the zone folder. Called by the operator-file reader.
extension TimeZoneRules {
    /// The folders tried in order, `$ZONEINFO` first when set.
    public static var defaultSearchPath: [String] { searchPath(zoneinfo: Environment.get("ZONEINFO")) }

    /// The system folders, after `zoneinfo` (the value of `$ZONEINFO`) when it is set.
    public static func searchPath(zoneinfo: String?) -> [String] {
        guard let zoneinfo, !zoneinfo.isEmpty else { return systemZoneFolders }
        return [zoneinfo] + systemZoneFolders
    }

    /// Where Unix systems keep zone files (the list Go uses).
    public static let systemZoneFolders = ["/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo"]

    /// The zone with this IANA name, from the first folder of `searchPath` that has it, else
    /// built in (UTC, `Etc/GMT±N`).
    public static func load(named name: String, searchPath: [String] = defaultSearchPath) throws(TimeZoneError) -> TimeZoneRules {
        let folders = searchPath.filter { Files.isDirectory($0) }
        if let problem = nameProblem(name) {
            let hopeless = name.isEmpty || name.lowercased() == "local" || name.includes("..")
            let suggestion = hopeless ? nil : closestName(to: name, in: folders)
            throw TimeZoneError(zone: name, kind: .invalidName, message: problem + hint(suggestion), suggestion: suggestion)
        }
        for folder in folders {
            let path = Files.join(folder, name)
            if Files.isDirectory(path) {
                let example = ((try? Files.list(path)) ?? []).first(where: isZoneFileName).map { name + "/" + $0 }
                throw TimeZoneError(zone: name, kind: .unknownZone,
                                    message: "unknown time zone \"\(name)\": it is a group of zones; name one of them"
                                        + (example.map { " (e.g. \"\($0)\")" } ?? ""),
                                    suggestion: example)
            }
            guard Files.exists(path) else { continue }
            let bytes: [UInt8]
            do {
                bytes = try Files.read(path, limit: 1 << 20)
            } catch {
                throw TimeZoneError(zone: name, kind: .unreadable, message: "time zone \"\(name)\": cannot read \(error)")
            }
            do {
                return try TimeZoneRules(name: name, tzif: bytes)
            } catch {
                var located = error
                located.message += " (\(path))"
                throw located
            }
        }
        if let zone = builtIn(named: name) { return zone }
        guard !folders.isEmpty else {
            throw TimeZoneError(
                zone: name, kind: .noZoneData,
                message: "unknown time zone \"\(name)\": this machine has no time zone data (looked in "
                    + searchPath.joined(separator: ", ")
                    + "); install Debian's tzdata package or copy /usr/share/zoneinfo into the image, or set ZONEINFO to a copy"
                    + " (built in without data: UTC and Etc/GMT±N only)")
        }
        let suggestion = closestName(to: name, in: folders)
        throw TimeZoneError(zone: name, kind: .unknownZone, message: "unknown time zone \"\(name)\"" + hint(suggestion),
                            suggestion: suggestion)
    }

    // MARK: Built-in zones

    static let utcNames: Set<String> = [
        "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
        "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
    ]

    /// UTC under its names, and `Etc/GMT+N` (N hours *west*, 1–12) / `Etc/GMT-N` (east, 1–14).
    static func builtIn(named name: String) -> TimeZoneRules? {
        if utcNames.contains(name) { return TimeZoneRules(name: name, fixedOffset: 0) }
        guard name.hasPrefix("Etc/GMT"), name.count > 8 else { return nil }
        let sign = name.dropFirst(7).first
        guard sign == "+" || sign == "-", let hours = Int(name.dropFirst(8)), name.dropFirst(8).allSatisfy({ $0.isASCII && $0.isNumber }),
              !name.dropFirst(8).hasPrefix("0")
        else { return nil }
        if sign == "+", (1...12).contains(hours) { return TimeZoneRules(name: name, fixedOffset: -hours * 3600) }
        if sign == "-", (1...14).contains(hours) { return TimeZoneRules(name: name, fixedOffset: hours * 3600) }
        return nil
    }

    static var builtInNames: [String] {
        Array(utcNames) + (1...12).map { "Etc/GMT+\($0)" } + (1...14).map { "Etc/GMT-\($0)" }
    }

    // MARK: Names

    /// Why `name` cannot be a zone name, or nil when it can.
    static func nameProblem(_ name: String) -> String? {
        let advice = "; IANA names look like \"Europe/Berlin\", \"America/New_York\" or \"UTC\""
        if name.isEmpty { return "the time zone name is empty" + advice }
        if name.lowercased() == "local" {
            return "\"\(name)\" is not a time zone: name one explicitly (the machine's own zone is never used)" + advice
        }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { return "\"\(name)\" is not a time zone name: it has an empty part between slashes" + advice }
            if part == "." || part == ".." { return "\"\(name)\" is not a time zone name: \"\(part)\" is not allowed" + advice }
            if part.hasPrefix("-") { return "\"\(name)\" is not a time zone name: a part starts with \"-\"" + advice }
            if part.unicodeScalars.count > 14 {
                return "\"\(name)\" is not a time zone name: \"\(part)\" is longer than 14 characters" + advice
            }
            if let bad = part.unicodeScalars.first(where: { !isNameCharacter($0) }) {
                return "\"\(name)\" is not a time zone name: \"\(bad)\" is not allowed in it" + advice
            }
        }
        return nil
    }

    private static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 48...57, 65...90, 97...122: return true
        default: return c == "." || c == "-" || c == "_" || c == "+"
        }
    }

    /// Zone files start with a capital (`zone.tab`, `posixrules`, `leapseconds` do not).
    private static func isZoneFileName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        return first.value >= 65 && first.value <= 90 && !name.contains(".")
    }

    /// All zone names in a zone folder (without the `posix/` and `right/` copies).
    static func zoneNames(in folder: String) -> [String] {
        var names: [String] = []
        func walk(_ relative: String, depth: Int) {
            let path = relative.isEmpty ? folder : Files.join(folder, relative)
            for entry in (try? Files.list(path)) ?? [] where isZoneFileName(entry) {
                let name = relative.isEmpty ? entry : relative + "/" + entry
                if Files.isDirectory(Files.join(folder, name)) {
                    if depth < 3 { walk(name, depth: depth + 1) }
                } else {
                    names.append(name)
                }
            }
        }
        walk("", depth: 1)
        return names
    }

    /// The known zone closest to a misspelt name; a bare city (`Berlin`) finds its zone.
    static func closestName(to name: String, in folders: [String]) -> String? {
        var candidates = Set(builtInNames)
        for folder in folders { candidates.formUnion(zoneNames(in: folder)) }
        let sorted = candidates.sorted()
        if let match = Suggestion.closest(to: name, among: sorted) { return match }
        let city = name.split(separator: "/").last.map(String.init) ?? name
        let cities = sorted.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        guard let match = Suggestion.closest(to: city, among: cities) else { return nil }
        return sorted[cities.firstIndex(of: match)!]
    }

    private static func hint(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
