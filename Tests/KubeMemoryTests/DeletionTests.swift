import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct DeletionTests {
    let cluster = MemoryCluster()

    func owned(_ name: String, by owner: JSON, block: Bool = false) -> JSON {
        var o = configMap(name)
        o.set([["apiVersion": owner["apiVersion"] ?? "", "kind": owner["kind"] ?? "", "name": .string(owner.objectName),
                 "uid": .string(owner.objectUID), "blockOwnerDeletion": .bool(block)]], at: ["metadata", "ownerReferences"])
        return o
    }

    func exists(_ gvr: GroupVersionResource, _ name: String, _ ns: String? = "default") async -> Bool {
        (try? await cluster.get(ref(gvr, name, ns))) != nil
    }

    @Test func finalizersHoldTheObjectUntilRemoved() async throws {
        var body = configMap("a")
        body.set(["example.com/hold"], at: ["metadata", "finalizers"])
        _ = try await cluster.create(R.configmaps, namespace: "default", body: body)
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 30))
        let deleting = try await cluster.delete(ref(R.configmaps, "a"))
        #expect(deleting["metadata"]?["deletionTimestamp"]?.string != nil)
        #expect(deleting["metadata"]?["deletionGracePeriodSeconds"] == 0)
        #expect(await exists(R.configmaps, "a"))
        let again = try await cluster.delete(ref(R.configmaps, "a"))
        #expect(again.objectResourceVersion == deleting.objectResourceVersion)
        let e = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["metadata": ["finalizers": ["example.com/hold", "new"]]], options: WriteOptions()) }
        #expect(e?.code == 422)
        #expect(e?.message.contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted") == true)
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["metadata": ["finalizers": .null]], options: WriteOptions())
        #expect(await exists(R.configmaps, "a") == false)
        let events = try await take(2, from: stream)
        #expect(events.map(\.type) == [.modified, .deleted])
    }

    @Test func preconditionsAre409() async throws {
        let o = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        #expect(await kubeError { _ = try await cluster.delete(ref(R.configmaps, "a"), options: DeleteOptions(preconditionUID: "nope")) }?.code == 409)
        #expect(await kubeError { _ = try await cluster.delete(ref(R.configmaps, "a"), options: DeleteOptions(preconditionResourceVersion: "1")) }?.code == 409)
        _ = try await cluster.delete(ref(R.configmaps, "a"), options: DeleteOptions(preconditionUID: o.objectUID, preconditionResourceVersion: o.objectResourceVersion))
        #expect(await exists(R.configmaps, "a") == false)
        #expect(await kubeError { _ = try await cluster.delete(ref(R.configmaps, "a")) }?.code == 404)
    }

    @Test func backgroundDeletionCollectsDependents() async throws {
        let owner = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: owned("child", by: owner))
        let grand = try await cluster.get(ref(R.configmaps, "child"))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: owned("grandchild", by: grand))
        _ = try await cluster.delete(ref(R.deployments, "d"))
        #expect(await exists(R.configmaps, "child") == false)
        #expect(await exists(R.configmaps, "grandchild") == false)
    }

    @Test func dependentWithAnotherLiveOwnerStays() async throws {
        let a = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let b = try await cluster.create(R.configmaps, namespace: "default", body: configMap("b"))
        var child = owned("child", by: a)
        var refs = child["metadata"]?["ownerReferences"]?.array ?? []
        refs.append(["apiVersion": "v1", "kind": "ConfigMap", "name": "b", "uid": .string(b.objectUID)])
        child.set(.array(refs), at: ["metadata", "ownerReferences"])
        _ = try await cluster.create(R.configmaps, namespace: "default", body: child)
        _ = try await cluster.delete(ref(R.configmaps, "a"))
        #expect(await exists(R.configmaps, "child"))
        _ = try await cluster.delete(ref(R.configmaps, "b"))
        #expect(await exists(R.configmaps, "child") == false)
    }

    @Test func foregroundWaitsForBlockingDependents() async throws {
        let owner = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        var child = owned("child", by: owner, block: true)
        child.set(["example.com/hold"], at: ["metadata", "finalizers"])
        _ = try await cluster.create(R.configmaps, namespace: "default", body: child)
        let deleting = try await cluster.delete(ref(R.deployments, "d"), options: DeleteOptions(propagationPolicy: .foreground))
        #expect(deleting.objectFinalizers == ["foregroundDeletion"])
        #expect(await exists(R.deployments, "d"))
        let c = try await cluster.get(ref(R.configmaps, "child"))
        #expect(c.isBeingDeleted)
        _ = try await cluster.patch(ref(R.configmaps, "child"), subresource: nil, type: .json, body: [["op": "remove", "path": "/metadata/finalizers"]], options: WriteOptions())
        #expect(await exists(R.configmaps, "child") == false)
        #expect(await exists(R.deployments, "d") == false)
    }

    @Test func orphanDeletionKeepsDependentsWithoutTheReference() async throws {
        let owner = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: owned("child", by: owner))
        _ = try await cluster.delete(ref(R.deployments, "d"), options: DeleteOptions(propagationPolicy: .orphan))
        #expect(await exists(R.deployments, "d") == false)
        let child = try await cluster.get(ref(R.configmaps, "child"))
        #expect(child["metadata"]?["ownerReferences"] == nil)
    }

    @Test func objectWhoseOwnerDoesNotExistIsCollected() async throws {
        let ghost: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ghost", "uid": "00000000-0000-4000-8000-000000000000"]]
        _ = try await cluster.create(R.configmaps, namespace: "default", body: owned("child", by: ghost))
        #expect(await exists(R.configmaps, "child") == false)
    }

    @Test func namespaceDeletionRemovesContentThenNamespace() async throws {
        _ = try await cluster.create(R.namespaces, namespace: nil, body: ["metadata": ["name": "team"]])
        let ns = try await cluster.get(ref(R.namespaces, "team", nil))
        #expect(ns["spec"]?["finalizers"] == ["kubernetes"] && ns["status"]?["phase"] == "Active")
        _ = try await cluster.create(R.configmaps, namespace: "team", body: configMap("free", namespace: "team"))
        var held = configMap("held", namespace: "team")
        held.set(["example.com/hold"], at: ["metadata", "finalizers"])
        _ = try await cluster.create(R.configmaps, namespace: "team", body: held)
        let terminating = try await cluster.delete(ref(R.namespaces, "team", nil))
        #expect(terminating["status"]?["phase"] == "Terminating")
        #expect(await exists(R.configmaps, "free", "team") == false)
        #expect(await exists(R.namespaces, "team", nil))
        let e = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "team", body: configMap("new", namespace: "team")) }
        #expect(e?.code == 403)
        _ = try await cluster.patch(ref(R.configmaps, "held", "team"), subresource: nil, type: .merge, body: ["metadata": ["finalizers": []]], options: WriteOptions())
        #expect(await exists(R.configmaps, "held", "team") == false)
        #expect(await exists(R.namespaces, "team", nil) == false)
    }

    @Test func systemNamespacesCannotBeDeleted() async throws {
        #expect(await kubeError { _ = try await cluster.delete(ref(R.namespaces, "default", nil)) }?.code == 403)
    }
}
