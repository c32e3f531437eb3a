import Glibc
import JSONValue
import Logging
import Platform
import Synchronization

/// How log lines look: `text` for people, `json` for log pipelines (one object a line,
/// like controller-runtime's zap output: `ts`, `level`, `msg`, then the metadata).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A swift-log handler writing whole lines to stderr. Metadata names the object,
/// handler and step (`object`, `handler`, `step`), passed down with the `Logger`.
public struct LogOutput: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: LogFormat

    // stderr is shared by every task: one lock keeps lines whole.
    private static let lock = Mutex<Void>(())

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    /// Installs the handler for the whole process (call once, first thing).
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in LogOutput(label: label, format: format, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let line: String
        let ts = Timestamp.formatMicro(microseconds: Timestamp.nowMicroseconds())
        switch format {
        case .json:
            var o: JSON = ["ts": .string(ts), "level": .string(event.level.rawValue), "logger": .string(label), "msg": .string(event.message.description)]
            for key in all.keys.sorted() { o[key] = Self.json(all[key]!) }
            line = o.serialized()
        case .text:
            var s = "\(ts) \(event.level.rawValue.uppercased().padding(7)) \(event.message)"
            for key in all.keys.sorted() { s += " \(key)=\(Self.text(all[key]!))" }
            line = s
        }
        let bytes = Array((line + "\n").utf8)
        Self.lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, bytes.count - offset) }
                if n <= 0 { if errno == EINTR { continue } else { break } }
                offset += n
            }
        }
    }

    static func json(_ v: Logger.MetadataValue) -> JSON {
        switch v {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            // Numbers and booleans stay numbers and booleans, for log pipelines.
            switch c {
            case let b as Bool: return .bool(b)
            case let i as Int: return .int(i)
            case let i as Int64: return .int(Int(i))
            case let i as Int32: return .int(Int(i))
            case let u as UInt: return u <= UInt(Int.max) ? .int(Int(u)) : .string(c.description)
            case let d as Double: return d.isFinite ? .double(d) : .string(c.description)
            default: return .string(c.description)
            }
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d):
            var o = JSONObject()
            for k in d.keys.sorted() { o[k] = json(d[k]!) }
            return .object(o)
        }
    }

    static func text(_ v: Logger.MetadataValue) -> String {
        let s = v.description
        return s.contains(" ") || s.isEmpty ? JSON.quote(s) : s
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
