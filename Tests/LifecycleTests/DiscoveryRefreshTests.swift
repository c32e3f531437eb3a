import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// A kind whose CRD is created after the operator started is found by the next attempt of
/// a step that applies it — over HTTP with the libcurl client, where discovery is real
/// requests (one cache for the watch and every step, refreshed on a miss).
@Suite struct DiscoveryRefreshTests {
    @Test func aCRDCreatedAfterStartUpIsFoundOnTheNextAttempt() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  backoff: {initial: 200ms, max: 1s}
                  steps:
                    - apply:
                        apiVersion: late.yopf.dev/v1
                        kind: Gadget
                        metadata: {name: '${{ .metadata.name }}'}
                        spec: {size: 1}
            """)
        let served = try await h.served()
        let op = h.start(api: served.client)
        try await h.create("w1", spec: [:])
        try await h.waitUntil("the handler failed for want of the kind") {
            h.progress(try await h.get("w1"), "make")?["message"]?.string?.contains("serves no resource of kind late.yopf.dev/v1 Gadget") == true
        }
        _ = try await h.cluster.create(RuntimeHarness.crds, namespace: nil, body: [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "gadgets.late.yopf.dev"],
            "spec": [
                "group": "late.yopf.dev", "scope": "Namespaced",
                "names": ["kind": "Gadget", "plural": "gadgets", "singular": "gadget", "listKind": "GadgetList"],
                "versions": [["name": "v1", "served": true, "storage": true,
                              "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
            ],
        ])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        let gadgets = GroupVersionResource(group: "late.yopf.dev", version: "v1", resource: "gadgets")
        let gadget = try await h.cluster.get(ObjectRef(gadgets, namespace: h.namespace, name: "w1"))
        #expect(gadget["spec"]?["size"] == 1)
        await op.stop()
        await served.stop()
    }
}
