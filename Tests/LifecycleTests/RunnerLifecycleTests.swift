import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// The whole lifecycle of one object through `OperatorRunner` against `MemoryCluster`:
/// create, field update, unrelated update, timer, resume on restart, delete, GC.
@Suite struct RunnerLifecycleTests {
    static let handlers = """
            - id: on_create
              on: create
              steps:
                - name: cm
                  apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data: {size: '${{ .spec.size | tostring }}'}
              result: '{configMap: $steps.cm.object.name}'
            - id: on_size
              on: update
              field: spec.size
              steps:
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data: {size: '${{ .spec.size | tostring }}'}
              result: '{from: $old.spec.size, to: .spec.size}'
            - id: on_resume
              on: resume
              steps:
                - status: {resumedGeneration: '${{ .metadata.generation }}'}
            - id: on_tick
              on: timer
              interval: 100ms
              steps:
                - status: {ticked: true}
            - id: on_delete
              on: delete
              steps:
                - event: {reason: Deleting, message: 'bye ${{ .metadata.name }}'}
        """

    @Test func createUpdateTimerResumeDelete() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        let first = h.start()
        try await h.create("w1", spec: ["size": 1, "color": "red"])

        // Create: result, conditions, the child owned by the resource; the finished cycle's
        // progress is purged (only failures and timers stay), the diff base is kept.
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        var w1 = try await h.get("w1")
        #expect(h.progress(w1, "on_create") == nil, "a handler that succeeded leaves no progress record")
        #expect(w1?["status"]?["yopf"]?["lastCycle"] == 1)
        #expect(w1?["status"]?["yopf"]?["cycle"] == nil)
        #expect(w1?["status"]?["yopf"]?["handled"]?["spec"] == ["size": 1, "color": "red"])
        #expect(w1?["status"]?["on_create"] == ["configMap": "w1"])
        let generation = try #require(w1?["metadata"]?["generation"]?.int)
        for type in ["Ready", "Progressing", "Degraded"] {
            let c = try #require(h.condition(w1, type), "condition \(type)")
            #expect(c["observedGeneration"]?.int == generation)
        }
        #expect(h.condition(w1, "Progressing")?["status"] == "False")
        #expect(h.condition(w1, "Degraded")?["status"] == "False")
        #expect(w1?["metadata"]?["finalizers"] == ["yopf.dev/finalizer"])
        let cm = try #require(try await h.configMap("w1"))
        #expect(cm["data"]?["size"] == "1")
        #expect(cm["metadata"]?["ownerReferences"]?[0]?["uid"] == w1?["metadata"]?["uid"])
        #expect(first.successes("on_create") == 1)
        #expect(first.successes("on_resume") == 0, "a resume handler does not run for an object created while running")

        // Timer: runs per object, again and again.
        try await h.waitUntil("the timer ran twice") { first.successes("on_tick") >= 2 }
        #expect(try await h.get("w1")?["status"]?["ticked"] == true)
        #expect(h.progress(try await h.get("w1"), "on_tick")?["purpose"] == "timer", "timer records outlive cycles")

        // An update to the watched field runs only the field handler, with $old.
        try await h.patchSpec("w1", ["size": 2])
        try await h.waitUntil("on_size ran") { first.successes("on_size") == 1 }
        try await h.waitUntil("w1 is Ready for generation 2") {
            let o = try await h.get("w1")
            return h.condition(o, "Ready")?["observedGeneration"]?.int == generation + 1 && h.condition(o, "Ready")?["status"] == "True"
        }
        w1 = try await h.get("w1")
        #expect(w1?["status"]?["on_size"] == ["from": 1, "to": 2])
        #expect(h.progress(w1, "on_size") == nil)
        #expect(w1?["status"]?["yopf"]?["lastCycle"] == 2)
        #expect(try await h.configMap("w1")?["data"]?["size"] == "2")
        #expect(first.successes("on_create") == 1)

        // An update of an unrelated field does not run it.
        try await h.patchSpec("w1", ["color": "blue"])
        try await h.waitUntil("the color change is handled") {
            try await h.get("w1")?["status"]?["yopf"]?["handled"]?["spec"]?["color"] == "blue"
        }
        #expect(first.successes("on_size") == 1)
        #expect(first.successes("on_create") == 1)
        await first.stop()

        // A new process: the resume handler runs once for the already handled object.
        let second = h.start()
        try await h.waitUntil("on_resume ran") { second.successes("on_resume") == 1 }
        try await h.waitUntil("the resume result is stored") {
            try await h.get("w1")?["status"]?["resumedGeneration"]?.int == generation + 2
        }
        try await h.settle()
        #expect(second.successes("on_resume") == 1)
        #expect(second.successes("on_create") == 0)
        #expect(second.successes("on_size") == 0)

        // Delete: the delete handler runs, then the finalizer goes, the object and its child are gone.
        try await h.delete("w1")
        try await h.waitUntil("w1 is gone") { try await h.get("w1") == nil }
        #expect(second.successes("on_delete") == 1)
        #expect(try await h.configMap("w1") == nil, "the child goes with its owner")
        #expect(try await h.events(about: "w1").contains { $0["reason"] == "Deleting" && $0["message"] == "bye w1" })
        await second.stop()
    }

    @Test func progressShowsWhileAMultiStepHandlerRuns() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        // Step 2 waits for a file the test writes, so the test sees the progress in between.
        let h = try await RuntimeHarness(handlers: """
                - id: slow
                  on: create
                  steps:
                    - name: first
                      run: {command: [sh, -c, 'echo "{\\"n\\": 1}"']}
                    - run: {command: [sh, -c, 'while [ ! -f \(folder.path)/go ]; do sleep 0.05; done']}
                  result: '{n: $steps.first.stdout.n}'
            """)
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("the first step's progress is written") { h.progress(try await h.get("w1"), "slow")?["step"] == 1 }
        let during = try await h.get("w1")
        #expect(h.progress(during, "slow")?["steps"]?["first"]?["stdout"] == ["n": 1], "outputs of finished steps are kept")
        #expect(h.condition(during, "Progressing")?["status"] == "True")
        #expect(h.condition(during, "Ready")?["status"] == "False")
        #expect(during?["status"]?["yopf"]?["cycle"]?["purpose"] == "create")
        FileManager.default.createFile(atPath: folder.path + "/go", contents: nil)
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let after = try await h.get("w1")
        #expect(after?["status"]?["slow"] == ["n": 1])
        #expect(after?["status"]?["yopf"]?["cycle"] == nil)
        await op.stop()
    }
}
