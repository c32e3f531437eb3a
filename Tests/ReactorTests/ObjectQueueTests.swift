import Synchronization
import Testing

@testable import Reactor

final class Recorder: Sendable {
    let log = Mutex<[(String, Int)]>([])
    let concurrent = Mutex<(now: Int, max: Int, perKey: [String: Int], keyOverlap: Bool)>((0, 0, [:], false))
}

@Suite struct ObjectQueueTests {
    @Test func oneAtATimePerKeyLatestWinsAndBoundedConcurrency() async throws {
        let r = Recorder()
        let gate = Mutex<Bool>(false)
        let queue = ObjectQueue<String, Int>(concurrency: 2) { key, value in
            r.concurrent.withLock { c in
                c.now += 1
                c.max = max(c.max, c.now)
                c.perKey[key, default: 0] += 1
                if c.perKey[key]! > 1 { c.keyOverlap = true }
            }
            while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(2)) }
            r.log.withLock { $0.append((key, value)) }
            r.concurrent.withLock { c in c.now -= 1; c.perKey[key]! -= 1 }
        }
        queue.submit("a", 1)
        while r.concurrent.withLock({ $0.perKey["a"] ?? 0 }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        for v in 2...5 { queue.submit("a", v) }   // a:1 is running; 2..5 coalesce to 5
        queue.submit("b", 1)
        queue.submit("c", 1)                       // waits: concurrency 2
        try await Task.sleep(for: .milliseconds(50))
        gate.withLock { $0 = true }
        await queue.drainWhenIdleForTests()
        let log = r.log.withLock { $0 }
        let a = log.filter { $0.0 == "a" }.map(\.1)
        #expect(a == [1, 5])
        #expect(log.contains { $0 == ("c", 1) })
        let c = r.concurrent.withLock { $0 }
        #expect(c.max <= 2)
        #expect(!c.keyOverlap)
    }
}

extension ObjectQueue {
    /// Waits until nothing is queued or running (polling; tests only).
    func drainWhenIdleForTests() async {
        while depth > 0 || running > 0 { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
