import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// `spec.owns` with `on: reconcile`: a child that is deleted or edited by someone else is
/// put back; the operator's own writes and a child's status churn do not make it run
/// again. Also `spec.resync` and cleanup of children a `forEach` made in other namespaces.
@Suite struct LevelTriggeredTests {
    static func yaml(owns: String = "owns: [{apiVersion: v1, kind: ConfigMap}]", resync: String = "", handlers: String) -> String {
        """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata: {name: widgets}
        spec:
          watch: {group: \(RuntimeHarness.group), version: v1, plural: \(RuntimeHarness.plural), kind: Widget}
          crd:
            names: {kind: Widget}
            versions: [{name: v1}]
          \(owns)
          \(resync)
          handlers:
        \(handlers)
        """
    }

    static let reconcileConfigMap = """
            - id: desired
              on: reconcile
              steps:
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}-config'}
                    data: {color: '${{ .spec.color }}', why: '${{ $reason }}'}
              result: '{reason: $reason}'
        """

    @Test(arguments: [false, true])
    func aDeletedOrEditedChildIsRestoredAndNothingRunsWhileNothingChanges(overHTTP: Bool) async throws {
        let h = try await RuntimeHarness(yaml: Self.yaml(handlers: Self.reconcileConfigMap))
        let served = overHTTP ? try await h.served() : nil
        let op = h.start(api: served?.client)
        try await h.create("w1", spec: ["color": "blue"])
        try await h.waitUntil("the ConfigMap is made") { try await h.configMap("w1-config")?["data"]?["color"] == "blue" }
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        #expect(try await h.configMap("w1-config")?["metadata"]?["labels"]?["yopf.dev/operator"] == "widgets")
        #expect(try await h.get("w1")?["status"]?["desired"]?["reason"] == "create")

        // Nothing changes: no more runs (our own write of the child is not a change).
        try await h.settle(.seconds(3))
        #expect(op.successes("desired") == 1)

        // Someone deletes the child: it is back within seconds.
        _ = try await h.cluster.delete(ObjectRef(RuntimeHarness.configMaps, namespace: h.namespace, name: "w1-config"))
        try await h.waitUntil("the ConfigMap is back", limit: .seconds(10)) { try await h.configMap("w1-config") != nil }
        try await h.waitUntil("the reconcile ran for it") { try await h.get("w1")?["status"]?["desired"]?["reason"] == "child-changed" }
        #expect(try await h.configMap("w1-config")?["data"]?["why"] == "child-changed")

        // Someone edits its data: restored, by one more run.
        try await h.waitUntil("the restore's run is counted") { op.successes("desired") == 2 }
        try await h.settle(.seconds(2))
        #expect(op.successes("desired") == 2, "the restore's own write made it run again")
        let ref = ObjectRef(RuntimeHarness.configMaps, namespace: h.namespace, name: "w1-config")
        _ = try await h.cluster.patch(ref, subresource: nil, type: .merge, body: ["data": ["color": "red"]], options: WriteOptions(fieldManager: "kubectl-edit"))
        try await h.waitUntil("the data is restored", limit: .seconds(10)) { try await h.configMap("w1-config")?["data"]?["color"] == "blue" }
        try await h.waitUntil("the restore's run is counted") { op.successes("desired") == 3 }

        // And once restored, quiet again.
        try await h.settle(.seconds(3))
        #expect(op.successes("desired") == 3, "the restore's own write made it run again")
        // A spec change still reconciles (as an update).
        try await h.patchSpec("w1", ["color": "green"])
        try await h.waitUntil("the new color") { try await h.configMap("w1-config")?["data"]?["color"] == "green" }
        #expect(try await h.get("w1")?["status"]?["desired"]?["reason"] == "update")
        await op.stop()
        await served?.stop()
    }

    @Test func statusChurnOfAChildWithGenerationsDoesNotReconcile() async throws {
        let h = try await RuntimeHarness(yaml: Self.yaml(owns: "owns: [{apiVersion: apps/v1, kind: Deployment}]", handlers: """
                - id: desired
                  on: reconcile
                  steps:
                    - apply:
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: '${{ .metadata.name }}'}
                        spec:
                          replicas: 1
                          selector: {matchLabels: {app: '${{ .metadata.name }}'}}
                          template:
                            metadata: {labels: {app: '${{ .metadata.name }}'}}
                            spec: {containers: [{name: c, image: busybox}]}
            """))
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
        let ref = ObjectRef(deployments, namespace: h.namespace, name: "w1")
        for i in 0..<5 {
            _ = try await h.cluster.patch(ref, subresource: "status", type: .merge, body: ["status": ["observedGeneration": .int(i)]], options: WriteOptions())
        }
        try await h.settle(.seconds(3))
        #expect(op.successes("desired") == 1, "status writes are not a change of the child")
        // A spec change by someone else is.
        _ = try await h.cluster.patch(ref, subresource: nil, type: .merge, body: ["spec": ["replicas": 3]], options: WriteOptions(fieldManager: "kubectl"))
        try await h.waitUntil("replicas restored", limit: .seconds(10)) {
            (try await h.cluster.get(ref))["spec"]?["replicas"] == 1
        }
        await op.stop()
    }

    @Test func resyncReconcilesPeriodically() async throws {
        let h = try await RuntimeHarness(yaml: Self.yaml(owns: "", resync: "resync: 1s", handlers: Self.reconcileConfigMap))
        let op = h.start()
        try await h.create("w1", spec: ["color": "blue"])
        try await h.waitUntil("resyncs happened") { op.successes("desired") >= 3 }
        #expect(try await h.get("w1")?["status"]?["desired"]?["reason"] == "resync")
        await op.stop()
    }

    @Test func childrenAForEachMadeInOtherNamespacesGoWithTheirOwner() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: spread
                  on: create
                  steps:
                    - forEach: '.spec.namespaces'
                      apply:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: 'from-${{ .metadata.name }}', namespace: '${{ $item }}'}
                        data: {owner: '${{ .metadata.name }}'}
            """)
        let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
        for ns in ["team-a", "team-b"] {
            _ = try await h.cluster.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        let op = h.start()
        try await h.create("w1", spec: ["namespaces": ["team-a", "team-b", "default"]])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let children = try await h.get("w1")?["status"]?["yopf"]?["children"]?.array ?? []
        #expect(Set(children.compactMap { $0["namespace"]?.string }) == ["team-a", "team-b"], "children: \(children)")
        try await h.delete("w1")
        try await h.waitUntil("w1 is gone") { try await h.get("w1") == nil }
        for ns in ["team-a", "team-b"] {
            let gone = try? await h.cluster.get(ObjectRef(RuntimeHarness.configMaps, namespace: ns, name: "from-w1"))
            #expect(gone == nil, "the child in \(ns) was left behind")
        }
        await op.stop()
    }
}
