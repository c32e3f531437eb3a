import Platform
import Synchronization
import Testing

@testable import Reactor

/// What the work closures saw.
final class Recorder: Sendable {
    let passes = Mutex<[(key: String, reasons: Set<ScheduleReason>, body: [UInt8]?)]>([])
    let concurrent = Mutex<(now: Int, max: Int, perKey: [String: Int], keyOverlap: Bool)>((0, 0, [:], false))

    func enter(_ key: String) {
        concurrent.withLock { c in
            c.now += 1
            c.max = max(c.max, c.now)
            c.perKey[key, default: 0] += 1
            if c.perKey[key]! > 1 { c.keyOverlap = true }
        }
    }

    func leave(_ key: String) { concurrent.withLock { c in c.now -= 1; c.perKey[key]! -= 1 } }

    func reasons(of key: String) -> [Set<ScheduleReason>] { passes.withLock { $0.filter { $0.key == key }.map(\.reasons) } }
}

@Suite struct SchedulerTests {
    /// Waits (bounded) for a condition that other tasks make true.
    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            if ContinuousClock.now > deadline { Issue.record("timed out: \(what)"); return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func oneWorkerPerKeyReasonsCoalesceAndConcurrencyIsBounded() async throws {
        let r = Recorder()
        let gate = Mutex(false)
        let scheduler = Scheduler<String>(concurrency: 2) { key, work in
            r.enter(key)
            while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(2)) }
            r.passes.withLock { $0.append((key, work.reasons, work.body)) }
            r.leave(key)
        }
        scheduler.start()
        scheduler.submit("a", .event, body: [1])
        try await eventually("a runs") { r.concurrent.withLock { $0.perKey["a"] ?? 0 } == 1 }
        // While a's first pass runs, more arrives for it: one more pass gets all of it.
        scheduler.submit("a", .event, body: [2])
        scheduler.submit("a", .childChanged)
        scheduler.submit("a", .event, body: [3])
        scheduler.submit("b", .event)
        scheduler.submit("c", .resync)  // waits: concurrency 2
        try await Task.sleep(for: .milliseconds(50))
        #expect(r.concurrent.withLock { $0.now } == 2)
        gate.withLock { $0 = true }
        await scheduler.drain()
        try await eventually("c ran") { !r.reasons(of: "c").isEmpty }
        await scheduler.drain()
        #expect(r.reasons(of: "a") == [[.event], [.event, .childChanged]])
        #expect(r.passes.withLock { $0.last { $0.key == "a" }?.body } == [3])
        #expect(r.reasons(of: "c") == [[.resync]])
        let c = r.concurrent.withLock { $0 }
        #expect(c.max == 2)
        #expect(!c.keyOverlap)
        scheduler.shutdown()
    }

    @Test func laterReasonsWaitForTheirTimeOnAVirtualClock() async throws {
        let clock = VirtualClock()
        let r = Recorder()
        let scheduler = Scheduler<String>(concurrency: 4, clock: clock) { key, work in
            r.passes.withLock { $0.append((key, work.reasons, work.body)) }
        }
        scheduler.start()
        scheduler.submit("a", .retry, at: clock.now + .seconds(300))
        scheduler.submit("a", .timer("tick"), at: clock.now + .seconds(60))
        scheduler.submit("b", .timer("tick"), at: clock.now + .seconds(60))
        try await eventually("quiescent") { scheduler.isQuiescent(parkedOnClock: clock.parked) }
        #expect(r.passes.withLock { $0.isEmpty })
        clock.advance(by: .seconds(59))
        try await eventually("quiescent") { scheduler.isQuiescent(parkedOnClock: clock.parked) }
        #expect(r.passes.withLock { $0.isEmpty })
        clock.advance(by: .seconds(1))
        try await eventually("both timers ran") { r.passes.withLock { $0.count } == 2 }
        #expect(Set(r.passes.withLock { $0.map(\.key) }) == ["a", "b"])
        #expect(r.reasons(of: "a") == [[.timer("tick")]])
        // An earlier time for a reason already due later replaces it.
        scheduler.submit("a", .retry, at: clock.now + .seconds(10))
        try await eventually("quiescent") { scheduler.isQuiescent(parkedOnClock: clock.parked) }
        clock.advance(by: .seconds(10))
        try await eventually("retry ran") { r.reasons(of: "a").count == 2 }
        #expect(r.reasons(of: "a").last == [.retry])
        // And the old, later entry does not run it again.
        clock.advance(by: .seconds(600))
        try await eventually("quiescent") { scheduler.isQuiescent(parkedOnClock: clock.parked) }
        #expect(r.reasons(of: "a").count == 2)
        scheduler.shutdown()
    }

    @Test func cancellingAKeyDropsItsPendingReasonsAndBody() async throws {
        let clock = VirtualClock()
        let r = Recorder()
        let scheduler = Scheduler<String>(concurrency: 1, clock: clock) { key, work in
            r.passes.withLock { $0.append((key, work.reasons, work.body)) }
        }
        scheduler.start()
        scheduler.submit("gone", .retry, at: clock.now + .seconds(5))
        scheduler.submit("gone", .timer("t"), at: clock.now + .seconds(5))
        scheduler.cancel("gone")
        scheduler.submit("kept", .timer("t"), at: clock.now + .seconds(5))
        scheduler.cancel("kept") { $0 == .retry }
        clock.advance(by: .seconds(5))
        try await eventually("kept ran") { !r.reasons(of: "kept").isEmpty }
        try await eventually("quiescent") { scheduler.isQuiescent(parkedOnClock: clock.parked) }
        #expect(r.reasons(of: "gone").isEmpty)
        #expect(scheduler.scheduledKeys == 0)
        scheduler.shutdown()
    }

    @Test func cancelRunningReachesEveryWorkerAndDrainReturns() async throws {
        let started = Mutex(0)
        let cancelled = Mutex(0)
        let scheduler = Scheduler<Int>(concurrency: 8) { _, _ in
            started.withLock { $0 += 1 }
            do { try await Task.sleep(for: .seconds(600)) } catch { cancelled.withLock { $0 += 1 } }
        }
        scheduler.start()
        for k in 0..<20 { scheduler.submit(k, .event) }
        try await eventually("8 running") { started.withLock { $0 } == 8 }
        scheduler.shutdown()  // the 12 waiting keys are dropped
        let clock = ContinuousClock()
        let t0 = clock.now
        scheduler.cancelRunning()
        await scheduler.drain()
        #expect(clock.now - t0 < .seconds(60))
        #expect(cancelled.withLock { $0 } == 8)
        #expect(started.withLock { $0 } == 8)
    }

    @Test func manyKeysUnderLoadEachRunOnceAndNoneTwiceAtOnce() async throws {
        let r = Recorder()
        let scheduler = Scheduler<String>(concurrency: 16) { key, work in
            r.enter(key)
            await Task.yield()
            r.passes.withLock { $0.append((key, work.reasons, nil)) }
            r.leave(key)
        }
        scheduler.start()
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for i in 0..<2_000 { scheduler.submit("k\((i * 7 + t) % 500)", .event) }
                }
            }
        }
        try await eventually("idle") { scheduler.running == 0 && scheduler.scheduledKeys == 0 }
        let c = r.concurrent.withLock { $0 }
        #expect(!c.keyOverlap)
        #expect(c.max <= 16)
        // Every key ran at least once.
        #expect(Set(r.passes.withLock { $0.map(\.key) }).count == 500)
        scheduler.shutdown()
    }
}
