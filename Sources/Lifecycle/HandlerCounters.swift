import Synchronization

/// Counts handler runs by handler and outcome (`success`, `retry`, `failure`) and their
/// time, for tests and for the metrics endpoint.
public final class HandlerCounters: Sendable {
    public struct Key: Hashable, Sendable {
        public var handler: String
        public var outcome: String
    }

    private let counts = Mutex<[Key: (count: Int, seconds: Double)]>([:])
    /// Called for every run, e.g. to feed Prometheus counters.
    private let observer: (@Sendable (String, String, Double) -> Void)?

    public init(observer: (@Sendable (String, String, Double) -> Void)? = nil) {
        self.observer = observer
    }

    func record(handler: String, outcome: String, seconds: Double) {
        counts.withLock { c in
            let k = Key(handler: handler, outcome: outcome)
            let old = c[k] ?? (0, 0)
            c[k] = (old.count + 1, old.seconds + seconds)
        }
        observer?(handler, outcome, seconds)
    }

    public func count(handler: String, outcome: String) -> Int {
        counts.withLock { $0[Key(handler: handler, outcome: outcome)]?.count ?? 0 }
    }

    public var snapshot: [Key: Int] { counts.withLock { $0.mapValues(\.count) } }
}
