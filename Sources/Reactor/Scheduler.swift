import Platform
import Synchronization

/// Why an object is due for handling. One object may be due for several reasons at
/// once; they are handed to its worker together.
public enum ScheduleReason: Hashable, Sendable, CustomStringConvertible {
    /// The watch delivered a new state of the object.
    case event
    /// A handler's backoff is over.
    case retry
    /// A timer handler (`on: timer`) is due.
    case timer(String)
    /// A cron handler (`on: schedule`) is due.
    case schedule(String)
    /// An object it owns changed or went.
    case childChanged
    /// The operator's periodic resync (`spec.resync`).
    case resync
    /// A concurrency-group slot it was waiting for is free.
    case slot

    public var description: String {
        switch self {
        case .event: return "event"
        case .retry: return "retry"
        case .timer(let id): return "timer(\(id))"
        case .schedule(let id): return "schedule(\(id))"
        case .childChanged: return "child-changed"
        case .resync: return "resync"
        case .slot: return "slot"
        }
    }
}

/// What a worker is handed for one key: every reason that is due, and the newest body
/// the watch delivered (serialized: a backlog of ten thousand objects then costs their
/// wire size, not their size as parsed values).
public struct ScheduledWork: Sendable {
    public var reasons: Set<ScheduleReason>
    public var body: [UInt8]?

    public init(reasons: Set<ScheduleReason>, body: [UInt8]? = nil) {
        self.reasons = reasons
        self.body = body
    }
}

/// One scheduler per operator: per object key, the reasons it is due for and when
/// (kube-rs's `scheduler` with reasons; Kopf's "delays go back to the same worker").
///
/// - One worker per key at a time: reasons that arrive while a key is being handled wait
///   for that worker to finish, then run in its next pass (bursts coalesce).
/// - At most `concurrency` keys are handled at once; ready keys wait in arrival order.
/// - A reason due later waits in a heap; one dispatcher sleeps on the clock until the
///   earliest (so ten thousand objects with timers cost heap entries, not tasks).
/// - `cancel(key)` forgets a deleted object: its pending retries and timers go with it.
///
/// It holds keys, reasons, due times and, only while an event is pending, the newest
/// body; the work itself (reading the object, running handlers) is the caller's.
public final class Scheduler<Key: Hashable & Sendable>: Sendable {
    public typealias Work = @Sendable (Key, ScheduledWork) async -> Void

    private struct Entry {
        var due: [ScheduleReason: ContinuousClock.Instant] = [:]
        var body: [UInt8]?
        var running = false
        var ready = false
    }

    private struct HeapItem {
        var due: ContinuousClock.Instant
        var key: Key
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var heap: [HeapItem] = []
        var ready: [Key] = []
        var readyHead = 0
        var running = 0
        var workers: [Key: Task<Void, Never>] = [:]
        var closed = false
        /// The deadline the dispatcher sleeps until (nil: none, sleeping until woken).
        var armed: ContinuousClock.Instant?
        var dispatcherParked = false
        var wake: CheckedContinuation<Void, Never>?
        var idle: [CheckedContinuation<Void, Never>] = []
        var dispatched = 0
    }

    public let concurrency: Int
    public let clock: any RuntimeClock
    private let state = Mutex(State())
    private let work: Work
    private let dispatcher = Mutex<Task<Void, Never>?>(nil)

    public init(concurrency: Int, clock: any RuntimeClock = SystemClock(), work: @escaping Work) {
        self.concurrency = max(1, concurrency)
        self.clock = clock
        self.work = work
    }

    /// Starts the dispatcher of later reasons (call once; `shutdown` stops it).
    public func start() {
        let task = Task { [self] in await dispatchLoop() }
        dispatcher.withLock { $0 = task }
    }

    // MARK: - Submitting

    /// Makes `key` due for `reason` at `at` (now when nil). A reason already due earlier
    /// keeps its earlier time; `body` replaces the pending body.
    public func submit(_ key: Key, _ reason: ScheduleReason, at: ContinuousClock.Instant? = nil, body: [UInt8]? = nil) {
        var launch = false
        var wake: CheckedContinuation<Void, Never>? = nil
        state.withLock { s in
            if s.closed { return }
            let now = clock.now
            let due = at ?? now
            var e = s.entries[key] ?? Entry()
            if let existing = e.due[reason], existing <= due {
                // Already due as early or earlier.
            } else {
                e.due[reason] = due
            }
            if let body { e.body = body }
            if due <= now {
                if !e.running && !e.ready {
                    if s.running < concurrency {
                        e.running = true
                        s.running += 1
                        launch = true
                    } else {
                        e.ready = true
                        s.ready.append(key)
                    }
                }
            } else {
                Self.push(&s.heap, HeapItem(due: due, key: key))
                if s.armed.map({ due < $0 }) ?? true, s.dispatcherParked {
                    wake = s.wake
                    s.wake = nil
                }
            }
            s.entries[key] = e
        }
        wake?.resume()
        if launch { startWorker(key) }
    }

    /// Forgets every pending reason (and body) of `key`: the object is gone. A pass
    /// already running finishes.
    public func cancel(_ key: Key) {
        state.withLock { s in
            guard var e = s.entries[key] else { return }
            e.due.removeAll()
            e.body = nil
            if e.running || e.ready { s.entries[key] = e } else { s.entries[key] = nil }
        }
    }

    /// Forgets the pending reasons of `key` that match.
    public func cancel(_ key: Key, where matches: (ScheduleReason) -> Bool) {
        state.withLock { s in
            guard var e = s.entries[key] else { return }
            for r in e.due.keys where matches(r) { e.due[r] = nil }
            if e.due.isEmpty && !e.running && !e.ready { s.entries[key] = nil } else { s.entries[key] = e }
        }
    }

    /// When `key` is due for `reason`, if it is.
    public func dueTime(_ key: Key, _ reason: ScheduleReason) -> ContinuousClock.Instant? {
        state.withLock { $0.entries[key]?.due[reason] }
    }

    // MARK: - Observing

    /// Keys due now or running (the `workqueue_depth` metric).
    public var depth: Int {
        let now = clock.now
        return state.withLock { s in s.entries.values.filter { $0.running || $0.due.values.contains { $0 <= now } }.count }
    }
    public var running: Int { state.withLock { $0.running } }
    /// Keys with anything pending, now or later.
    public var scheduledKeys: Int { state.withLock { $0.entries.count } }
    /// Passes handed to workers so far.
    public var dispatched: Int { state.withLock { $0.dispatched } }

    /// For a scenario runner on a `VirtualClock`: nothing can happen until the clock
    /// moves — no key is ready (or every worker slot is taken), the dispatcher is asleep
    /// or idle, and each running worker is asleep on the clock (`parkedOnClock` counts
    /// every sleeper of the clock; the runner must know of no other).
    public func isQuiescent(parkedOnClock: Int) -> Bool {
        state.withLock { s in
            let readyWaiting = s.ready.count - s.readyHead
            guard readyWaiting == 0 || s.running >= concurrency else { return false }
            let dispatcherAsleep = s.dispatcherParked ? (s.armed == nil ? 0 : 1) : -1
            guard dispatcherAsleep >= 0 else { return false }
            return parkedOnClock == s.running + dispatcherAsleep
        }
    }

    // MARK: - Stopping

    /// Stops handing out work; pending reasons are dropped. Running passes go on.
    public func shutdown() {
        let wake: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.closed = true
            s.entries = s.entries.filter { $0.value.running }.mapValues { e in var e = e; e.due.removeAll(); e.body = nil; return e }
            s.ready.removeAll()
            s.readyHead = 0
            s.heap.removeAll()
            defer { s.wake = nil }
            return s.wake
        }
        wake?.resume()
        dispatcher.withLock { $0?.cancel() }
    }

    /// Cancels the running passes (after a shutdown's grace): their steps see
    /// cancellation and stop where their progress says.
    public func cancelRunning() {
        let tasks = state.withLock { Array($0.workers.values) }
        for t in tasks { t.cancel() }
    }

    /// Returns when no pass is running.
    public func drain() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { s in
                if s.running == 0 { return true }
                s.idle.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    // MARK: - Workers

    private func startWorker(_ key: Key) {
        // Created and recorded under the lock: the worker's first step takes the same
        // lock, so it cannot finish before `cancelRunning` can reach it.
        state.withLock { s in
            s.workers[key] = Task { [self] in await loop(key) }
        }
    }

    private func loop(_ first: Key) async {
        var key = first
        while true {
            // `now` is read under the lock, so that the dispatcher (which skips keys that
            // are running) and this worker agree on what is due.
            let taken: ScheduledWork? = state.withLock { s in
                let now = clock.now
                guard var e = s.entries[key], !s.closed else { return nil }
                let dueNow = e.due.filter { $0.value <= now }
                guard !dueNow.isEmpty else { return nil }
                for r in dueNow.keys { e.due[r] = nil }
                let body = e.body
                e.body = nil
                s.entries[key] = e
                s.dispatched += 1
                return ScheduledWork(reasons: Set(dueNow.keys), body: body)
            }
            if let taken {
                await work(key, taken)
                continue
            }
            // Nothing due for this key now: retire it, take the next ready key or stop.
            let (next, waiters, idle): (Key?, [CheckedContinuation<Void, Never>], Bool) = state.withLock { s in
                if var e = s.entries[key] {
                    // A submit between the two locks saw this key running and left it to
                    // this worker: take another pass rather than strand it.
                    let now = clock.now
                    if !s.closed, e.due.values.contains(where: { $0 <= now }) { return (key, [], false) }
                    e.running = false
                    if e.due.isEmpty { s.entries[key] = nil } else { s.entries[key] = e }
                }
                let handle = s.workers.removeValue(forKey: key)
                while !s.closed, s.readyHead < s.ready.count {
                    let k = s.ready[s.readyHead]
                    s.readyHead += 1
                    if s.readyHead > 1024 && s.readyHead * 2 > s.ready.count {
                        s.ready.removeFirst(s.readyHead)
                        s.readyHead = 0
                    }
                    guard var e = s.entries[k], e.ready else { continue }
                    e.ready = false
                    if e.running { s.entries[k] = e; continue }
                    e.running = true
                    s.entries[k] = e
                    // The next key runs in this task.
                    s.workers[k] = handle
                    return (k, [], false)
                }
                s.running -= 1
                guard s.running == 0 else { return (nil, [], false) }
                defer { s.idle.removeAll() }
                return (nil, s.idle, true)
            }
            guard let next else {
                for w in waiters { w.resume() }
                // The last worker retired: the heap is at its emptiest, give it back.
                if idle { HeapTrim.soon() }
                return
            }
            key = next
        }
    }

    // MARK: - Dispatcher of later reasons

    private func dispatchLoop() async {
        while !Task.isCancelled {
            var launch: [Key] = []
            let next: ContinuousClock.Instant? = state.withLock { s in
                if s.closed { return nil }
                let now = clock.now
                while let top = s.heap.first, top.due <= now {
                    let item = Self.pop(&s.heap)
                    guard var e = s.entries[item.key], e.due.values.contains(where: { $0 <= now }) else { continue }
                    if e.running || e.ready { continue }
                    if s.running < concurrency {
                        e.running = true
                        s.running += 1
                        launch.append(item.key)
                    } else {
                        e.ready = true
                        s.ready.append(item.key)
                    }
                    s.entries[item.key] = e
                }
                return s.heap.first?.due
            }
            for k in launch { startWorker(k) }
            if state.withLock({ $0.closed }) { return }
            await sleep(until: next)
        }
    }

    /// Sleeps until `deadline` (forever when nil) or until a submission wakes it.
    private func sleep(until deadline: ContinuousClock.Instant?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = state.withLock { s in
                        if s.closed { return true }
                        // A due time that arrived while the dispatcher was busy.
                        if let first = s.heap.first, first.due < (deadline ?? first.due + .seconds(1)) { return true }
                        s.wake = c
                        s.armed = deadline
                        s.dispatcherParked = true
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
            if let deadline {
                group.addTask { [clock] in try? await clock.sleep(until: deadline) }
            }
            await group.next()
            // Whichever came first: take back the wake-up and stop the sleep.
            let pending: CheckedContinuation<Void, Never>? = state.withLock { s in
                s.dispatcherParked = false
                s.armed = nil
                defer { s.wake = nil }
                return s.wake
            }
            pending?.resume()
            group.cancelAll()
        }
    }

    // MARK: - Heap

    private static func push(_ heap: inout [HeapItem], _ item: HeapItem) {
        heap.append(item)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].due <= heap[i].due { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private static func pop(_ heap: inout [HeapItem]) -> HeapItem {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && heap[l].due < heap[m].due { m = l }
                if r < heap.count && heap[r].due < heap[m].due { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
