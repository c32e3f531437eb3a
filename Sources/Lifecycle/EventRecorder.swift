import JSONValue
import Kube
import Platform
import Synchronization

/// Posts Kubernetes Events (`v1/Event`) about objects, off the handling path: `record`
/// only queues; a background task writes. Repeats of the same event (same object, type,
/// reason and message) within ten minutes bump `count` and `lastTimestamp` of the event
/// already posted instead of creating another, as client-go's event correlator does, so
/// a handler retrying every few seconds does not flood etcd.
public final class EventRecorder: Sendable {
    public struct Event: Sendable {
        public var object: JSON
        public var type: String  // Normal | Warning
        public var reason: String
        public var message: String

        public init(object: JSON, type: String, reason: String, message: String) {
            self.object = object
            self.type = type
            self.reason = reason
            self.message = message
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
    /// How long a posted event is reused for repeats.
    static let correlationWindowSeconds = 600
    static let maxRemembered = 4096

    /// `component` is the reporting controller, e.g. `yopf/mysql-operator`.
    public init(api: any KubeAPI, component: String, clock: any RuntimeClock = SystemClock()) {
        self.api = api
        self.component = component
        self.clock = clock
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
        pending.add(1, ordering: .sequentiallyConsistent)
        switch continuation.yield(event) {
        case .enqueued: break
        // The oldest queued event made room for this one, or the recorder is stopped.
        case .dropped, .terminated: pending.subtract(1, ordering: .sequentiallyConsistent)
        @unknown default: break
        }
    }

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
