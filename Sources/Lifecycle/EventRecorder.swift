import JSONValue
import Kube
import Logging
import Platform
import Synchronization

/// Posts Kubernetes Events (`v1/Event`) about objects, off the handling path: `record`
/// only queues; a background task writes. Repeats of the same event (same object, type,
/// reason and message) within ten minutes bump `count` and `lastTimestamp` of the event
/// already posted instead of creating another, as client-go's event correlator does, so
/// a handler retrying every few seconds does not flood etcd.
///
/// Routine events (a handler succeeded) share a budget per operator: a burst of
/// `routineBurst`, then `routinePerSecond`. A backlog of ten thousand objects would
/// otherwise add an Event write to every object's two writes, a third more load on the
/// API server for news the object's status already carries. Warnings and the events a
/// handler's `event` step posts are never held back. Skipped events are counted
/// (`skippedRoutine`) and logged once a minute at most.
public final class EventRecorder: Sendable {
    public struct Event: Sendable {
        public var object: JSON
        public var type: String  // Normal | Warning
        public var reason: String
        public var message: String
        /// News the object's status already carries (a handler succeeded): posted within
        /// the routine budget only.
        public var routine: Bool

        public init(object: JSON, type: String, reason: String, message: String, routine: Bool = false) {
            self.object = object
            self.type = type
            self.reason = reason
            self.message = message
            self.routine = routine
        }
    }

    private struct Posted {
        var name: String
        var namespace: String
        var count: Int
        var firstSeconds: Int
        var lastSeconds: Int
    }

    private let api: any KubeAPI
    private let component: String
    private let continuation: AsyncStream<Event>.Continuation
    private let posted = Mutex<[String: Posted]>([:])
    private let failures = Atomic<Int>(0)
    /// Recorded and not yet posted (or given up on).
    private let pending = Atomic<Int>(0)
    private let clock: any RuntimeClock
    private let logger: Logger?
    /// The routine budget, and when skipping was last logged.
    private let budget: Mutex<(bucket: TokenBucket, logged: ContinuousClock.Instant?)>
    private let skipped = Atomic<Int>(0)
    public static let routineBurst = 50.0
    public static let routinePerSecond = 5.0
    /// How long a posted event is reused for repeats.
    static let correlationWindowSeconds = 600
    static let maxRemembered = 4096

    /// `component` is the reporting controller, e.g. `yopf/mysql-operator`.
    public init(api: any KubeAPI, component: String, clock: any RuntimeClock = SystemClock(), logger: Logger? = nil) {
        self.api = api
        self.component = component
        self.clock = clock
        self.logger = logger
        self.budget = Mutex((bucket: TokenBucket(rate: Self.routinePerSecond, capacity: Self.routineBurst, now: clock.now), logged: nil))
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        self.continuation = continuation
        Task { [self] in
            for await event in stream {
                await post(event)
                pending.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
    }

    /// Queues an event; never blocks and never fails the caller.
    public func record(_ event: Event) {
        if event.routine, !takeRoutineToken() { return }
        pending.add(1, ordering: .sequentiallyConsistent)
        switch continuation.yield(event) {
        case .enqueued: break
        // The oldest queued event made room for this one, or the recorder is stopped.
        case .dropped, .terminated: pending.subtract(1, ordering: .sequentiallyConsistent)
        @unknown default: break
        }
    }

    /// Takes one token of the routine budget; false (counted, logged at most once a
    /// minute) when none is left.
    private func takeRoutineToken() -> Bool {
        let now = clock.now
        let logNow: Bool? = budget.withLock { b in
            if b.bucket.take(at: now) { return nil }
            if let last = b.logged, now - last < .seconds(60) { return false }
            b.logged = now
            return true
        }
        guard let logNow else { return true }
        let total = skipped.add(1, ordering: .relaxed).newValue
        if logNow {
            logger?.info("routine events over budget: HandlerSucceeded events are skipped until it refills; each object's status still records its handlers", metadata: [
                "component": .string(component), "burst": .stringConvertible(Int(Self.routineBurst)),
                "perSecond": .stringConvertible(Int(Self.routinePerSecond)), "skipped": .stringConvertible(total),
            ])
        }
        return false
    }

    /// Routine events not posted because the budget was spent.
    public var skippedRoutine: Int { skipped.load(ordering: .relaxed) }

    /// Events recorded and not yet posted.
    public var unposted: Int { pending.load(ordering: .sequentiallyConsistent) }

    public func stop() { continuation.finish() }

    /// Events that could not be posted (logged by the caller through metrics).
    public var failedPosts: Int { failures.load(ordering: .relaxed) }

    static let eventsGVR = GroupVersionResource(group: "", version: "v1", resource: "events")

    private func post(_ event: Event) async {
        let meta = event.object["metadata"] ?? [:]
        guard let name = meta["name"]?.string else { return }
        // Cluster-scoped objects get their events in "default", as kubectl looks for them.
        let namespace = meta["namespace"]?.string ?? "default"
        let key = [namespace, name, meta["uid"]?.string ?? "", event.type, event.reason, event.message].joined(separator: "\u{1}")
        let now = clock.wallSeconds
        let nowText = Timestamp.format(seconds: now)
        let previous: Posted? = posted.withLock { p in
            guard let e = p[key], now - e.lastSeconds < Self.correlationWindowSeconds else { return nil }
            return e
        }
        do {
            if let previous {
                let count = previous.count + 1
                _ = try await api.patch(
                    ObjectRef(Self.eventsGVR, namespace: previous.namespace, name: previous.name), subresource: nil,
                    type: .merge, body: ["count": .int(count), "lastTimestamp": .string(nowText)], options: WriteOptions())
                posted.withLock { $0[key]?.count = count; $0[key]?.lastSeconds = now }
                return
            }
            let eventName = "\(name).\(Self.suffix())"
            var involved: JSON = [
                "apiVersion": event.object["apiVersion"] ?? "", "kind": event.object["kind"] ?? "",
                "name": .string(name), "uid": meta["uid"] ?? "", "resourceVersion": meta["resourceVersion"] ?? "",
            ]
            if let ns = meta["namespace"]?.string { involved["namespace"] = .string(ns) }
            let body: JSON = [
                "apiVersion": "v1", "kind": "Event",
                "metadata": ["name": .string(eventName), "namespace": .string(namespace)],
                "involvedObject": involved, "type": .string(event.type), "reason": .string(event.reason),
                "message": .string(String(event.message.prefix(1024))),
                "source": ["component": .string(component)], "reportingComponent": .string(component),
                "reportingInstance": .string(component),
                "firstTimestamp": .string(nowText), "lastTimestamp": .string(nowText), "count": 1,
            ]
            _ = try await api.create(Self.eventsGVR, namespace: namespace, body: body, options: WriteOptions())
            posted.withLock { p in
                if p.count >= Self.maxRemembered {
                    // Forget the oldest half: correlation is an optimisation, not a guarantee.
                    let cutoff = p.values.map(\.lastSeconds).sorted()[p.count / 2]
                    p = p.filter { $0.value.lastSeconds > cutoff }
                }
                p[key] = Posted(name: eventName, namespace: namespace, count: 1, firstSeconds: now, lastSeconds: now)
            }
        } catch {
            // Events are best effort (RBAC may not allow them); the object's status has the facts.
            failures.add(1, ordering: .relaxed)
            if previous != nil { posted.withLock { _ = $0.removeValue(forKey: key) } }
        }
    }

    static func suffix() -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<10).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}
