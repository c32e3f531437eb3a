import Logging
import Synchronization

/// The runtime's log lines of a scenario, kept in memory: `yopf test -v` prints them as
/// they come, and a failed expectation shows the lines around it (the handler and step
/// that ran). Each line: virtual time, level, message, then object/handler/step.
public final class LogBuffer: Sendable {
    /// One line, with what `yopf test` matches on (which handler and step it is about).
    public struct Entry: Sendable {
        public var line: String
        public var message: String
        public var handler: String?
        public var step: String?
    }

    private let lines = Mutex<[String]>([])
    private let entries = Mutex<[Entry]>([])
    /// Called with every line as it is added (`-v`).
    let echo: (@Sendable (String) -> Void)?

    public init(echo: (@Sendable (String) -> Void)? = nil) { self.echo = echo }

    public var all: [String] { lines.withLock { $0 } }
    public var count: Int { lines.withLock { $0.count } }

    /// Lines from `index` on.
    public func lines(from index: Int) -> [String] { lines.withLock { Array($0.dropFirst(index)) } }

    /// Entries from `index` on (the same numbering as `lines`).
    public func entries(from index: Int) -> [Entry] { entries.withLock { Array($0.dropFirst(index)) } }

    func add(_ line: String, message: String = "", handler: String? = nil, step: String? = nil) {
        // One lock order (lines, then entries) keeps both lists numbered alike.
        lines.withLock { l in
            l.append(line)
            entries.withLock { $0.append(Entry(line: line, message: message, handler: handler, step: step)) }
        }
        echo?(line)
    }

    /// A logger writing here, stamped with `time` (the scenario's virtual clock).
    func logger(level: Logger.Level, time: @escaping @Sendable () -> String) -> Logger {
        var logger = Logger(label: "yopf-test") { _ in Handler(buffer: self, time: time) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let buffer: LogBuffer
        let time: @Sendable () -> String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            if let extra = event.metadata { all.merge(extra) { _, new in new } }
            var line = "\(time()) \(event.level.rawValue) \(event.message)"
            for key in ["object", "handler", "step"] { if let v = all[key] { line += " \(key)=\(v)" } }
            for key in all.keys.sorted() where !["object", "handler", "step", "operator"].contains(key) { line += " \(key)=\(all[key]!)" }
            buffer.add(line, message: "\(event.message)", handler: all["handler"].map { "\($0)" }, step: all["step"].map { "\($0)" })
        }
    }
}
