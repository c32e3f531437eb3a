import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// Many objects at once with bounded concurrency (CI runs this under AddressSanitizer:
/// `swift test --sanitize=address --filter Stress`).
@Suite struct RunnerStressTests {
    static let handlers = """
            - id: make
              on: create
              steps:
                - name: cm
                  apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data: {index: '${{ .spec.index | tostring }}'}
                - status: {index: '${{ .spec.index }}'}
              result: '{child: $steps.cm.object.name}'
            - id: grow
              on: update
              field: spec.index
              steps:
                - status: {grown: '${{ .spec.index }}'}
            - id: unmake
              on: delete
              steps:
                - event: {reason: Bye, message: 'bye ${{ .metadata.name }}'}
        """

    func countReady(_ h: RuntimeHarness, where extra: (JSON) -> Bool = { _ in true }) async throws -> Int {
        let list = try await h.cluster.list(RuntimeHarness.gvr, namespace: h.namespace)
        return (list["items"]?.array ?? []).filter { h.condition($0, "Ready")?["status"] == "True" && extra($0) }.count
    }

    @Test(.timeLimit(.minutes(5)))
    func twoHundredObjectsWithConcurrencyEight() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        let total = 200
        for i in 0..<total / 2 { try await h.create("w\(i)", spec: ["index": .int(i)]) }
        let op = h.start(concurrency: 8)
        for i in total / 2..<total { try await h.create("w\(i)", spec: ["index": .int(i)]) }

        try await h.waitUntil("all \(total) are Ready", limit: .seconds(180)) { try await countReady(h) == total }
        let configMaps = try await h.cluster.list(RuntimeHarness.configMaps, namespace: h.namespace)["items"]?.array ?? []
        #expect(configMaps.filter { $0["metadata"]?["name"]?.string?.hasPrefix("w") == true }.count == total)
        #expect(op.successes("make") == total)
        #expect(op.retries("make") == 0)
        #expect(op.failures("make") == 0)
        let sample = try await h.get("w42")
        #expect(sample?["status"]?["index"] == 42)
        #expect(sample?["status"]?["make"] == ["child": "w42"])

        // Every object updated at once: the field handler runs once per object.
        for i in 0..<total { try await h.patchSpec("w\(i)", ["index": .int(i + 1000)]) }
        try await h.waitUntil("all updates are handled", limit: .seconds(180)) {
            try await countReady(h) { $0["status"]?["grown"]?.int ?? 0 >= 1000 } == total
        }
        #expect(op.successes("grow") == total)
        #expect(op.successes("make") == total)

        // And all deleted: the delete handler once per object, every finalizer released.
        for i in 0..<total { try await h.delete("w\(i)") }
        try await h.waitUntil("all are gone", limit: .seconds(180)) {
            (try await h.cluster.list(RuntimeHarness.gvr, namespace: h.namespace)["items"]?.array?.count ?? -1) == 0
        }
        #expect(op.successes("unmake") == total)
        #expect(op.failures("unmake") == 0)
        await op.stop()
    }
}
