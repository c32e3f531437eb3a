import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Reactor
import Testing

/// A watch event older than the processor's own last write (a late or replayed event)
/// must not make it handle the object again: it reads the object fresh instead.
@Suite struct StaleEventTests {
    @Test(arguments: [false, true])
    func staleBodyDoesNotRerunCreate(withDeleteHandler: Bool) async throws {
        var handlers = """
                - id: make
                  on: create
                  steps:
                    - apply:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: '${{ .metadata.name }}'}
            """
        if withDeleteHandler {
            handlers += """

                    - id: unmake
                      on: delete
                      steps:
                        - event: {reason: Bye, message: bye}
                """
        }
        let h = try await RuntimeHarness(handlers: handlers)
        let counters = HandlerCounters()
        let (processor, events) = try h.processor(counters: counters)
        defer { events.stop() }
        let created = try await h.create("w1", spec: [:])
        let key = ObjectKey(namespace: h.namespace, name: "w1")

        let event = ScheduledWork(reasons: [.event], body: created.serializedBytes())
        #expect(await processor.process(key: key, work: event) == .nothing)
        #expect(counters.count(handler: "make", outcome: "success") == 1)
        #expect(try await h.isReady("w1"))
        let writes = h.writes(resource: RuntimeHarness.plural, name: "w1") + h.writes(resource: "configmaps", name: "w1")

        // The ADDED event again (as a watch replay or a slow stream delivers it).
        #expect(await processor.process(key: key, work: event) == .nothing)
        #expect(counters.count(handler: "make", outcome: "success") == 1)
        #expect(h.writes(resource: RuntimeHarness.plural, name: "w1") + h.writes(resource: "configmaps", name: "w1") == writes)
    }
}
