import Reactor
import Synchronization

/// Concurrency groups (`concurrency: {key, limit}`): at most `limit` handler runs with
/// the same group and key at once, across all objects of the operator. A run that finds
/// no free slot does not hold a worker while it waits: its object is recorded as a
/// waiter and woken (`wake`, reason `.slot`) when a slot of that key frees, in the order
/// the waiters came.
///
/// Used by the lifecycle around each handler run; the runner supplies `wake`.
final class ConcurrencyGate: Sendable {
    struct Slot: Hashable, Sendable {
        /// `operator` or `handler:<id>`.
        var group: String
        /// The key's value, serialized.
        var key: String
    }

    private struct State {
        var holders: [Slot: [ObjectKey]] = [:]
        var waiters: [Slot: [ObjectKey]] = [:]
    }

    private let state = Mutex(State())
    private let wake: @Sendable (ObjectKey) -> Void

    init(wake: @escaping @Sendable (ObjectKey) -> Void) { self.wake = wake }

    /// Takes a slot for `holder`, or records it as a waiter and returns the objects that
    /// hold the slots now (for the message that says what it waits for).
    func acquire(_ slot: Slot, limit: Int, holder: ObjectKey) -> (granted: Bool, heldBy: [ObjectKey]) {
        state.withLock { s in
            var holders = s.holders[slot] ?? []
            if holders.contains(holder) { return (true, holders) }
            let waiting = s.waiters[slot] ?? []
            // First come, first served: a waiter ahead of us gets a freed slot first.
            let ahead = waiting.firstIndex(of: holder) ?? waiting.count
            if holders.count < limit && ahead == 0 {
                holders.append(holder)
                s.holders[slot] = holders
                if !waiting.isEmpty && waiting.first == holder { s.waiters[slot] = Array(waiting.dropFirst()) }
                return (true, holders)
            }
            if !waiting.contains(holder) { s.waiters[slot, default: []].append(holder) }
            return (false, holders)
        }
    }

    /// Frees `holder`'s slot and wakes the first waiter, if any.
    func release(_ slot: Slot, holder: ObjectKey) {
        let next: ObjectKey? = state.withLock { s in
            guard var holders = s.holders[slot], let i = holders.firstIndex(of: holder) else { return nil }
            holders.remove(at: i)
            s.holders[slot] = holders.isEmpty ? nil : holders
            return s.waiters[slot]?.first
        }
        if let next { wake(next) }
    }

    /// At the end of a pass: the object stops waiting for slots it did not ask for in
    /// that pass (its handler no longer runs, e.g. `when` turned false), so that it does
    /// not keep others waiting behind it.
    func endPass(_ holder: ObjectKey, requested: Set<Slot>) {
        var woken: [ObjectKey] = []
        state.withLock { s in
            for (slot, list) in s.waiters where !requested.contains(slot) && list.contains(holder) {
                let kept = list.filter { $0 != holder }
                s.waiters[slot] = kept.isEmpty ? nil : kept
                if list.first == holder, let next = kept.first { woken.append(next) }
            }
        }
        for w in woken { wake(w) }
    }

    /// The object is gone: it waits for nothing and holds nothing.
    func forget(_ holder: ObjectKey) {
        var woken: [ObjectKey] = []
        state.withLock { s in
            for (slot, list) in s.waiters {
                let kept = list.filter { $0 != holder }
                s.waiters[slot] = kept.isEmpty ? nil : kept
            }
            for (slot, list) in s.holders where list.contains(holder) {
                let kept = list.filter { $0 != holder }
                s.holders[slot] = kept.isEmpty ? nil : kept
                if let first = s.waiters[slot]?.first { woken.append(first) }
            }
        }
        for w in woken { wake(w) }
    }

    /// Runs now per slot (tests, metrics).
    func holders(_ slot: Slot) -> [ObjectKey] { state.withLock { $0.holders[slot] ?? [] } }
}
