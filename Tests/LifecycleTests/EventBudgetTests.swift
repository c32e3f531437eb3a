import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Platform
import Testing

/// Routine events (HandlerSucceeded) share a budget; Warnings and `event` steps do not.
@Suite struct EventBudgetTests {
    static let events = GroupVersionResource(group: "", version: "v1", resource: "events")

    static func object(_ i: Int) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(i)"), "namespace": "default", "uid": .string("u\(i)")]]
    }

    static func posted(_ cluster: MemoryCluster, _ recorder: EventRecorder, reason: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while recorder.unposted > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let list = try await cluster.list(Self.events, namespace: "default")
        return (list["items"]?.array ?? []).filter { $0["reason"]?.string == reason }.count
    }

    @Test func aBacklogPostsABurstOfRoutineEventsThenARefillRate() async throws {
        let cluster = MemoryCluster()
        let clock = VirtualClock()
        let recorder = EventRecorder(api: cluster, component: "test", clock: clock)
        defer { recorder.stop() }
        let burst = Int(EventRecorder.routineBurst), rate = Int(EventRecorder.routinePerSecond)
        // A backlog: far more successes than the burst, all at one instant.
        for i in 0..<(burst + 30) {
            recorder.record(.init(object: Self.object(i), type: "Normal", reason: "HandlerSucceeded", message: "handler h succeeded", routine: true))
        }
        #expect(try await Self.posted(cluster, recorder, reason: "HandlerSucceeded") == burst)
        #expect(recorder.skippedRoutine == 30)
        // Warnings and the events a handler asks for are never held back.
        for i in 0..<20 {
            recorder.record(.init(object: Self.object(i), type: "Warning", reason: "HandlerFailed", message: "handler h failed \(i)"))
            recorder.record(.init(object: Self.object(i), type: "Normal", reason: "Provisioned", message: "done \(i)"))
        }
        #expect(try await Self.posted(cluster, recorder, reason: "HandlerFailed") == 20)
        #expect(try await Self.posted(cluster, recorder, reason: "Provisioned") == 20)
        // Two seconds later the budget has refilled by two seconds' worth.
        clock.advance(by: .seconds(2))
        for i in 1000..<1100 {
            recorder.record(.init(object: Self.object(i), type: "Normal", reason: "HandlerSucceeded", message: "handler h succeeded", routine: true))
        }
        #expect(try await Self.posted(cluster, recorder, reason: "HandlerSucceeded") == burst + 2 * rate)
        #expect(recorder.skippedRoutine == 30 + 100 - 2 * rate)
        // Idle long enough, the whole burst is back (and no more).
        clock.advance(by: .seconds(3600))
        for i in 2000..<2200 {
            recorder.record(.init(object: Self.object(i), type: "Normal", reason: "HandlerSucceeded", message: "handler h succeeded", routine: true))
        }
        #expect(try await Self.posted(cluster, recorder, reason: "HandlerSucceeded") == 2 * burst + 2 * rate)
    }
}
