import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// The operator-level `filter:` and `when:`, the diff base size guard, and children that
/// an owner reference cannot reach.
@Suite struct RunnerEdgeCaseTests {
    @Test func filteredObjectsAreLeftAlone() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  steps:
                    - status: {made: true}
                - id: big
                  on: create
                  when: '.spec.size > 10'
                  steps:
                    - status: {big: true}
                - id: unmake
                  on: delete
                  steps:
                    - event: {reason: Bye, message: bye}
            """, filter: ".spec.managed != false")
        let op = h.start()
        try await h.create("ignored", spec: ["managed": false, "size": 1])
        try await h.create("small", spec: ["size": 1])
        try await h.create("large", spec: ["size": 20])
        try await h.waitUntil("small and large are Ready") { try await h.areReady("small", "large") }
        try await h.settle()
        let ignored = try await h.get("ignored")
        #expect(ignored?["status"] == nil, "no write to an object the filter leaves out")
        #expect(ignored?["metadata"]?["finalizers"] == nil)
        #expect(try await h.get("small")?["status"]?["big"] == nil)
        #expect(try await h.get("large")?["status"]?["big"] == true)
        #expect(op.successes("make") == 2)
        #expect(op.successes("big") == 1)

        // Taken under management later: handled as a creation.
        try await h.patchSpec("ignored", ["managed": true])
        try await h.waitUntil("the formerly ignored object is Ready") { try await h.isReady("ignored") }
        #expect(op.successes("make") == 3)
        await op.stop()
    }

    @Test func bigSpecKeepsADigestAndStillDeletes() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  steps:
                    - status: {made: true}
                - id: resize
                  on: update
                  field: spec.size
                  steps:
                    - status: {resized: '${{ .spec.size }}'}
                - id: unmake
                  on: delete
                  steps:
                    - event: {reason: Bye, message: bye}
            """)
        let op = h.start()
        let blob = JSON.string(String(repeating: "x", count: 200 << 10))
        try await h.create("huge", spec: ["size": 1, "blob": blob])
        try await h.waitUntil("huge is Ready") { try await h.isReady("huge") }
        let state = try await h.get("huge")?["status"]?["yopf"]
        #expect(state?["handled"] == nil, "the 200 KiB spec is not copied into status")
        #expect(state?["handledDigest"]?.string?.hasPrefix("sha256:") == true)

        try await h.patchSpec("huge", ["size": 2])
        try await h.waitUntil("the update is handled") { try await h.get("huge")?["status"]?["resized"] == 2 }
        #expect(op.successes("resize") == 1)

        try await h.delete("huge")
        try await h.waitUntil("huge is gone") { try await h.get("huge") == nil }
        #expect(op.successes("unmake") == 1)
        await op.stop()
    }

    @Test func childInAnotherNamespaceIsLinkedByLabelsAndDeletedWithTheOwner() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  steps:
                    - apply:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: '${{ .metadata.name }}'}
                      namespace: other
            """)
        _ = try await h.cluster.create(GroupVersionResource(group: "", version: "v1", resource: "namespaces"), namespace: nil,
                                       body: ["metadata": ["name": "other"]])
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let owner = try await h.get("w1")
        let childRef = ObjectRef(RuntimeHarness.configMaps, namespace: "other", name: "w1")
        let child = try await h.cluster.get(childRef)
        #expect(child["metadata"]?["ownerReferences"] == nil, "no owner reference across namespaces")
        #expect(child["metadata"]?["labels"]?["yopf.dev/owner-uid"] == owner?["metadata"]?["uid"])
        #expect(owner?["metadata"]?["finalizers"] == ["yopf.dev/finalizer"], "the finalizer lets yopf delete the child")
        #expect(owner?["status"]?["yopf"]?["children"]?[0]?["namespace"] == "other")

        try await h.delete("w1")
        try await h.waitUntil("w1 is gone") { try await h.get("w1") == nil }
        await #expect(throws: KubeError.self) { _ = try await h.cluster.get(childRef) }
        await op.stop()
    }
}
