import Synchronization

/// The time the runtime acts on: when work is due, how long steps wait, and the
/// timestamps it writes to status. `SystemClock` is real time; `VirtualClock` moves only
/// when told to, so that `yopf test` runs a scenario with a 5-minute backoff and hourly
/// schedules in milliseconds.
///
/// Instants are `ContinuousClock.Instant`s (a virtual clock's count from the moment it
/// was made), so deadlines compare the same way under both; wall time is what goes into
/// status (`started`, `delayed`, `lastRun`) and what cron schedules are computed from.
public protocol RuntimeClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Microseconds since the Unix epoch.
    var wallMicroseconds: Int { get }
    /// Suspends until `deadline` (throws CancellationError when the task is cancelled).
    func sleep(until deadline: ContinuousClock.Instant) async throws
    /// The pause of a loop that polls for a state of the world (a Job to finish, a
    /// Deployment to be ready): real time sleeps it; a virtual clock wakes it early when
    /// the world changed (`VirtualClock.nudge`), without time passing.
    func poll(until deadline: ContinuousClock.Instant) async throws
    /// The sleep of a watchdog beside running work (a step's time limit): like `sleep`,
    /// but a virtual clock does not count it as a task with nothing to do.
    func watchdog(until deadline: ContinuousClock.Instant) async throws
}

extension RuntimeClock {
    public func sleep(for duration: Duration) async throws { try await sleep(until: now + duration) }
    public func poll(for duration: Duration) async throws { try await poll(until: now + duration) }
    public var wallSeconds: Int { wallMicroseconds / 1_000_000 }
    /// `2026-11-24T01:02:03Z`
    public var timestamp: String { Timestamp.format(seconds: wallSeconds) }
    /// The wall time at an instant of this clock, in microseconds since the epoch.
    public func wallMicroseconds(at instant: ContinuousClock.Instant) -> Int {
        wallMicroseconds + (instant - now).microseconds
    }
    /// The instant of this clock at a wall time (microseconds since the epoch).
    public func instant(atWallMicroseconds micros: Int) -> ContinuousClock.Instant {
        now + .microseconds(micros - wallMicroseconds)
    }
}

extension Duration {
    /// Whole microseconds, saturating instead of trapping on absurd durations.
    public var microseconds: Int {
        let (s, atto) = components
        let (scaled, overflow) = s.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return s < 0 ? Int(Int64.min / 2) : Int(Int64.max / 2) }
        return Int(scaled) + Int(atto / 1_000_000_000_000)
    }

    /// Seconds as a Double (for metrics and logs).
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// Real time.
public struct SystemClock: RuntimeClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public var wallMicroseconds: Int { Timestamp.nowMicroseconds() }
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
    public func poll(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
    public func watchdog(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}

/// Time that passes only through `advance(by:)`. Sleepers wake in deadline order when
/// the clock reaches their deadline; pollers also wake on `nudge()` (the world changed:
/// look again). `parked` says how many are waiting, which is how a scenario runner knows
/// that the runtime has nothing left to do at this moment.
public final class VirtualClock: RuntimeClock {
    enum Kind { case sleep, poll, watchdog }

    private struct Sleeper {
        var id: Int
        var deadline: ContinuousClock.Instant
        var kind: Kind
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [Sleeper] = []
        var nextID = 0
        /// Cancelled before they were registered.
        var cancelled: Set<Int> = []
    }

    private let origin: ContinuousClock.Instant
    private let wallOrigin: Int
    private let state = Mutex(State())

    /// `wallMicroseconds`: the wall time the clock starts at (default: the real one).
    public init(wallMicroseconds: Int = Timestamp.nowMicroseconds()) {
        origin = .now
        wallOrigin = wallMicroseconds
    }

    public var now: ContinuousClock.Instant { origin + state.withLock { $0.elapsed } }
    public var wallMicroseconds: Int { wallOrigin + state.withLock { $0.elapsed }.microseconds }
    public var elapsed: Duration { state.withLock { $0.elapsed } }

    /// Tasks asleep on this clock with nothing else to do (watchdogs beside running work
    /// are not counted).
    public var parked: Int { state.withLock { $0.sleepers.filter { $0.kind != .watchdog }.count } }

    /// The earliest deadline of a sleeper, if any; with `includingPolls: false`, of the
    /// sleepers that are not polls.
    public func nextDeadline(includingPolls: Bool = true) -> ContinuousClock.Instant? {
        state.withLock { $0.sleepers.filter { includingPolls || $0.kind != .poll }.map(\.deadline).min() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await park(until: deadline, kind: .sleep)
    }

    public func poll(until deadline: ContinuousClock.Instant) async throws {
        try await park(until: deadline, kind: .poll)
    }

    public func watchdog(until deadline: ContinuousClock.Instant) async throws {
        try await park(until: deadline, kind: .watchdog)
    }

    /// Wakes every poller (they look at the world again); time does not move.
    public func nudge() {
        let woken: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            let polls = s.sleepers.filter { $0.kind == .poll }
            s.sleepers.removeAll { $0.kind == .poll }
            return polls.map(\.continuation)
        }
        for c in woken { c.resume() }
    }

    private func park(until deadline: ContinuousClock.Instant, kind: Kind) async throws {
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if s.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if origin + s.elapsed >= deadline { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, kind: kind, continuation: c))
                    return nil
                }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = state.withLock { s in
                if let i = s.sleepers.firstIndex(where: { $0.id == id }) { return s.sleepers.remove(at: i).continuation }
                s.cancelled.insert(id)
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward, waking every sleeper whose deadline is reached, earliest first.
    public func advance(by duration: Duration) {
        guard duration > .zero else { return }
        let woken: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.elapsed += duration
            let now = origin + s.elapsed
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        for c in woken { c.resume() }
    }

    /// Moves time to `instant` (no-op when it has passed).
    public func advance(to instant: ContinuousClock.Instant) {
        let d = instant - now
        if d > .zero { advance(by: d) }
    }
}
