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
        // First sight settles the lifecycle (its status write) and starts the timer.
        let first = await processor.process(key: key, work: ScheduledWork(reasons: [.event], body: created.serializedBytes()))
        let start = try #require(first.due[.timer("tick")])
        #expect(start - ContinuousClock.now > .seconds(3500))

        // The timer is due, but every status write of the pass fails (the writer gives up
        // after five attempts): the pass asks to be retried, and the timer with it.
        h.cluster.addFault(FaultRule(verbs: ["patch"], resource: RuntimeHarness.plural, subresource: "status", times: 5, action: .error(code: 500)))
        let failed = await processor.process(key: key, work: ScheduledWork(reasons: [.timer("tick")]))
        let retry = try #require(failed.retryAt)
        #expect(retry - ContinuousClock.now < .seconds(11))
        #expect(failed.due[.timer("tick")] == retry)
        #expect(try await h.get("w1")?["status"]?["ticked"] == nil)

        // The scheduler brings the timer back with the retry; it runs now.
        let ran = await processor.process(key: key, work: ScheduledWork(reasons: [.retry, .timer("tick")]))
        #expect(ran.retryAt == nil)
        #expect(try await h.get("w1")?["status"]?["ticked"] == true)
        // At least once: the failed pass's run was never recorded, so it ran again.
        #expect(counters.count(handler: "tick", outcome: "success") == 2)
    }
}
