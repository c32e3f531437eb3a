import Synchronization

/// A namespaced object name, the unit a controller reconciles.
struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String
    var description: String { "\(namespace)/\(name)" }
}

/// Keys waiting for one controller's worker, each queued at most once: a burst of events
/// about one object becomes one reconciliation, as in kube's work queues.
final class ReconcileQueue: Sendable {
    private let queued = Mutex<Set<ObjectKey>>([])
    private let stream: AsyncStream<ObjectKey>
    private let continuation: AsyncStream<ObjectKey>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: ObjectKey.self)
    }

    func add(_ key: ObjectKey) {
        let fresh = queued.withLock { $0.insert(key).inserted }
        if fresh { continuation.yield(key) }
    }

    func finish() { continuation.finish() }

    /// Calls `body` for each key until the queue is finished or the task cancelled. A key is
    /// taken off before `body` runs, so events during a reconciliation queue it again.
    func process(_ body: (ObjectKey) async -> Void) async {
        for await key in stream {
            _ = queued.withLock { $0.remove(key) }
            await body(key)
        }
    }
}
