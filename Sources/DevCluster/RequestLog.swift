#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debug request lines on stderr (`GET /api/v1/pods 200 1.2ms`), only when enabled.
public struct RequestLog: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    func start() -> UInt64 { enabled ? Self.monotonicNanoseconds() : 0 }

    func finish(_ r: APIRequest, status: Int, since: UInt64) {
        guard enabled else { return }
        let micros = (Self.monotonicNanoseconds() - since) / 1000
        let duration = micros < 1000 ? "\(micros)µs" : "\(micros / 1000).\(micros % 1000 / 100)ms"
        var target = r.path
        if !r.query.isEmpty {
            target += "?" + r.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
        Self.write("debug: \(r.method) \(target) \(status) \(duration)\n")
    }

    /// A request that became a WebSocket session (its end is not logged).
    func upgraded(_ method: String, uri: String, protocol chosen: String) {
        guard enabled else { return }
        Self.write("debug: \(method) \(uri) 101 \(chosen)\n")
    }

    public static func write(_ line: String) {
        // One write(2) per line on fd 2: lines from concurrent requests do not interleave.
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
