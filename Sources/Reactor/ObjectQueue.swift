import Synchronization

/// Runs work per object: one job at a time for each key, the newest state wins when
/// several arrive while one is being handled (bursts coalesce), and at most
/// `concurrency` keys are handled at once; the others wait in arrival order.
///
/// `Value` is what the latest submission carried (the object body).
public final class ObjectQueue<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public typealias Work = @Sendable (Key, Value) async -> Void

    private struct State {
        var running: Set<Key> = []
        /// The newest value per key not yet handed to a worker.
        var pending: [Key: Value] = [:]
        /// Keys with pending values and no worker, in arrival order.
        var waiting: [Key] = []
        var waitingHead = 0
        var active = 0
        var closed = false
        /// `drain` callers waiting for `active` to reach 0. Kept under the same lock as
        /// `active`, so that a worker retiring while `drain` starts waiting cannot miss it.
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let work: Work
    private let merge: @Sendable (Value, Value) -> Value
    public let concurrency: Int

    /// `merge(older, newer)` combines two submissions for a key that wait together; by
    /// default the newer one wins.
    public init(concurrency: Int, merge: @escaping @Sendable (Value, Value) -> Value = { _, newer in newer }, work: @escaping Work) {
        self.concurrency = max(1, concurrency)
        self.merge = merge
        self.work = work
    }

    /// Queues the newest value for `key`.
    public func submit(_ key: Key, _ value: Value) {
        let start: Bool = state.withLock { s in
            if s.closed { return false }
            let previous = s.pending[key]
            s.pending[key] = previous.map { merge($0, value) } ?? value
            let wasPending = previous != nil
            if s.running.contains(key) || wasPending { return false }
            if s.active < concurrency {
                s.active += 1
                s.running.insert(key)
                return true
            }
            s.waiting.append(key)
            return false
        }
        if start { launch(key) }
    }

    /// Keys with work waiting or running (the `workqueue_depth` metric).
    public var depth: Int { state.withLock { $0.pending.count } }
    public var running: Int { state.withLock { $0.active } }

    /// Stops taking submissions; returns when every running job has finished.
    public func drain() async {
        state.withLock { s in
            s.closed = true
            s.pending.removeAll()
            s.waiting.removeAll()
            s.waitingHead = 0
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { s in
                if s.active == 0 { return true }
                s.idle.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    private func launch(_ key: Key) {
        Task { await loop(key) }
    }

    private func loop(_ first: Key) async {
        var key = first
        while true {
            guard let value = state.withLock({ $0.pending.removeValue(forKey: key) }) else {
                // Nothing left for this key: pick the next waiting key or retire.
                let (next, waiters): (Key?, [CheckedContinuation<Void, Never>]) = state.withLock { s in
                    s.running.remove(key)
                    while s.waitingHead < s.waiting.count {
                        let k = s.waiting[s.waitingHead]
                        s.waitingHead += 1
                        if s.waitingHead > 1024 && s.waitingHead * 2 > s.waiting.count {
                            s.waiting.removeFirst(s.waitingHead)
                            s.waitingHead = 0
                        }
                        if s.pending[k] != nil && !s.running.contains(k) {
                            s.running.insert(k)
                            return (k, [])
                        }
                    }
                    s.active -= 1
                    guard s.active == 0 else { return (nil, []) }
                    defer { s.idle.removeAll() }
                    return (nil, s.idle)
                }
                guard let next else {
                    for w in waiters { w.resume() }
                    return
                }
                key = next
                continue
            }
            await work(key, value)
        }
    }
}
