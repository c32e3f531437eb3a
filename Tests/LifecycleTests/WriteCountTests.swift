import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// API writes per handled object (Events not counted): a one-step create handler that
/// makes one ConfigMap costs the ConfigMap and one status write; a finalizer adds one
/// metadata patch; the operator's own writes never make it handle the object again.
@Suite struct WriteCountTests {
    static let create = """
            - id: make
              on: create
              steps:
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data: {size: '${{ .spec.size | tostring }}'}
        """
    static let delete = """

            - id: unmake
              on: delete
              steps:
                - event: {reason: Bye, message: bye}
        """

    /// The operator's writes to the resource and to its ConfigMap.
    func operatorWrites(_ h: RuntimeHarness, _ name: String, ownWrites: Int) -> Int {
        h.writes(resource: RuntimeHarness.plural, name: name) - ownWrites + h.writes(resource: "configmaps", name: name)
    }

    @Test(arguments: [false, true])
    func oneStepCreateHandler(withDeleteHandler: Bool) async throws {
        let h = try await RuntimeHarness(handlers: Self.create + (withDeleteHandler ? Self.delete : ""))
        try await h.create("existing", spec: ["size": 1])
        let op = h.start()
        try await h.create("new", spec: ["size": 2])
        try await h.waitUntil("both are Ready") { try await h.areReady("existing", "new") }
        try await h.settle()
        let expected = withDeleteHandler ? 3 : 2
        #expect(operatorWrites(h, "existing", ownWrites: 1) == expected)
        #expect(operatorWrites(h, "new", ownWrites: 1) == expected)
        #expect(h.writes(resource: "configmaps", name: "new") == 1)
        #expect(h.cluster.requestCount { $0.verb == "patch" && $0.resource == RuntimeHarness.plural && $0.subresource == "status" && $0.name == "new" } == 1)
        #expect(op.successes("make") == 2)

        if withDeleteHandler {
            // Deleting: the user's delete, then one write of ours (the finalizer goes).
            try await h.delete("new")
            try await h.waitUntil("new is gone") { try await h.get("new") == nil }
            #expect(operatorWrites(h, "new", ownWrites: 2) == expected + 1)
        }
        await op.stop()
    }

    @Test func ownStatusWritesDoNotTriggerHandlers() async throws {
        // Handlers that write status fields of their own, and a timer-free operator: after
        // Ready nothing more happens however long we look.
        let h = try await RuntimeHarness(handlers: Self.create + """

                - id: report
                  on: update
                  steps:
                    - status: {phase: '${{ "size " + (.spec.size | tostring) }}'}
            """ + Self.delete)
        let op = h.start()
        try await h.create("w1", spec: ["size": 1])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        try await h.patchSpec("w1", ["size": 2])
        try await h.waitUntil("report ran") { try await h.get("w1")?["status"]?["phase"] == "size 2" }
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let writes = h.writes(resource: RuntimeHarness.plural, name: "w1")
        let runs = op.counters.snapshot
        let version = try await h.get("w1")?["metadata"]?["resourceVersion"]
        try await h.settle(.milliseconds(800))
        #expect(h.writes(resource: RuntimeHarness.plural, name: "w1") == writes)
        #expect(op.counters.snapshot == runs)
        #expect(try await h.get("w1")?["metadata"]?["resourceVersion"] == version)
        #expect(op.successes("make") == 1)
        #expect(op.successes("report") == 1)
        await op.stop()
    }

    @Test func restartWithoutResumeHandlersWritesNothing() async throws {
        let h = try await RuntimeHarness(handlers: Self.create + Self.delete)
        let first = h.start()
        try await h.create("w1", spec: ["size": 1])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        await first.stop()
        let before = h.writes(resource: RuntimeHarness.plural, name: "w1")
        let second = h.start()
        try await h.waitUntil("the second process has listed") { second.runner.isReady }
        try await h.settle()
        #expect(h.writes(resource: RuntimeHarness.plural, name: "w1") == before)
        #expect(second.counters.snapshot.isEmpty)
        await second.stop()
    }
}
