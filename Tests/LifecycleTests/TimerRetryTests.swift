import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Reactor
import Testing

/// A pass that fails outright must not lose the timers that were due in it: its retry
/// runs them, instead of their next interval (an hour later here).
@Suite struct TimerRetryTests {
    @Test func aTimerDueInAFailedPassRunsOnTheRetry() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: tick
                  on: timer
                  interval: 1h
                  steps:
                    - status: {ticked: true}
            """)
        let counters = HandlerCounters()
        let (processor, events) = try h.processor(counters: counters)
        defer { events.stop() }
        let created = try await h.create("w1", spec: [:])
        let key = ObjectKey(namespace: h.namespace, name: "w1")
        // First sight settles the lifecycle (its status write) without the timer.
        _ = await processor.process(key: key, trigger: Trigger(object: created))

        // The timer is due, but every status write of the pass fails (the writer gives up
        // after five attempts): the pass throws and asks to be retried.
        h.cluster.addFault(FaultRule(verbs: ["patch"], resource: RuntimeHarness.plural, subresource: "status", times: 5, action: .error(code: 500)))
        let failed = await processor.process(key: key, trigger: Trigger(timers: ["tick"]))
        #expect(failed == .after(.seconds(10)))
        #expect(try await h.get("w1")?["status"]?["ticked"] == nil)

        // The retry carries no timer of its own; the one that was due runs now.
        #expect(await processor.process(key: key, trigger: Trigger()) == .none)
        #expect(try await h.get("w1")?["status"]?["ticked"] == true)
        // At least once: the failed pass's run was never recorded, so it ran again.
        #expect(counters.count(handler: "tick", outcome: "success") == 2)
    }
}
