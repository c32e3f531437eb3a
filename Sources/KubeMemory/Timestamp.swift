import Glibc

/// RFC 3339 timestamps in UTC with second precision, as Kubernetes writes
/// `creationTimestamp` and `deletionTimestamp` ("2026-11-24T01:02:03Z").
enum Timestamp {
    static func now() -> String {
        format(secondsSinceEpoch: Int(time(nil)))
    }

    static func format(secondsSinceEpoch seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
