import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct SubresourceTests {
    let cluster = MemoryCluster()

    @Test func statusWritesChangeOnlyStatus() async throws {
        _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        let before = try await cluster.get(ref(R.deployments, "d"))
        var body = before
        body["status"] = ["readyReplicas": 1]
        body.set(5, at: ["spec", "replicas"])
        body.set(["a": "b"], at: ["metadata", "labels"])
        let after = try await cluster.update(ref(R.deployments, "d"), subresource: "status", body: body, options: WriteOptions())
        #expect(after["status"]?["readyReplicas"] == 1)
        #expect(after["spec"]?["replicas"] == 1)
        #expect(after["metadata"]?["labels"] == nil)
    }

    @Test func mainResourceWritesIgnoreStatus() async throws {
        var body = deployment("d")
        body["status"] = ["replicas": 9]
        let created = try await cluster.create(R.deployments, namespace: "default", body: body)
        #expect(created["status"] == nil)
        _ = try await cluster.patch(ref(R.deployments, "d"), subresource: "status", type: .merge, body: ["status": ["replicas": 1]], options: WriteOptions())
        let p = try await cluster.patch(ref(R.deployments, "d"), subresource: nil, type: .merge, body: ["status": ["replicas": 7]], options: WriteOptions())
        #expect(p["status"]?["replicas"] == 1)
    }

    @Test func statusOfTypeWithoutStatusIs404() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        #expect(await kubeError { _ = try await cluster.get(ref(R.configmaps, "a"), subresource: "status") }?.code == 404)
    }

    @Test func scaleReadsAndWritesReplicas() async throws {
        _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("web", replicas: 2))
        let scale = try await cluster.get(ref(R.deployments, "web"), subresource: "scale")
        #expect(scale["kind"] == "Scale" && scale["apiVersion"] == "autoscaling/v1")
        #expect(scale["spec"]?["replicas"] == 2)
        #expect(scale["status"]?["replicas"] == 0)
        #expect(scale["status"]?["selector"] == "app=web")
        let patched = try await cluster.patch(ref(R.deployments, "web"), subresource: "scale", type: .merge, body: ["spec": ["replicas": 0]], options: WriteOptions())
        #expect(patched["spec"]?["replicas"] == 0)
        let d = try await cluster.get(ref(R.deployments, "web"))
        #expect(d["spec"]?["replicas"] == 0)
        #expect(d["metadata"]?["generation"] == 2)
        var put = patched
        put.set(4, at: ["spec", "replicas"])
        put.set(nil, at: ["metadata", "resourceVersion"])
        let updated = try await cluster.update(ref(R.deployments, "web"), subresource: "scale", body: put, options: WriteOptions())
        #expect(updated["spec"]?["replicas"] == 4)
        put.set("1", at: ["metadata", "resourceVersion"])
        #expect(await kubeError { _ = try await cluster.update(ref(R.deployments, "web"), subresource: "scale", body: put, options: WriteOptions()) }?.code == 409)
        put.set(nil, at: ["metadata", "resourceVersion"])
        put.set(-1, at: ["spec", "replicas"])
        #expect(await kubeError { _ = try await cluster.update(ref(R.deployments, "web"), subresource: "scale", body: put, options: WriteOptions()) }?.code == 422)
    }

    @Test func customResourceScaleUsesCRDPaths() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db", spec: ["image": "m", "replicas": 3]))
        _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: "status", type: .merge, body: ["status": ["replicas": 2, "selector": "app=db"]], options: WriteOptions())
        let scale = try await cluster.get(ref(R.mysqls, "db"), subresource: "scale")
        #expect(scale["spec"]?["replicas"] == 3 && scale["status"]?["replicas"] == 2 && scale["status"]?["selector"] == "app=db")
        _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: "scale", type: .json, body: [["op": "replace", "path": "/spec/replicas", "value": 1]], options: WriteOptions())
        #expect(try await cluster.get(ref(R.mysqls, "db"))["spec"]?["replicas"] == 1)
    }
}

@Suite struct PatchDispatchTests {
    let cluster = MemoryCluster()

    @Test func mergeJSONAndStrategicPatches() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let m = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["k": .null, "x": "1"]], options: WriteOptions())
        #expect(m["data"] == ["x": "1"])
        let j = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .json, body: [["op": "add", "path": "/data/y", "value": "2"]], options: WriteOptions())
        #expect(j["data"] == ["x": "1", "y": "2"])
        let s = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .strategicMerge, body: ["data": ["z": "3"]], options: WriteOptions())
        #expect(s["data"]?["z"] == "3")
        let bad = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .json, body: [["op": "remove", "path": "/data/none"]], options: WriteOptions()) }
        #expect(bad?.code == 422 || bad?.code == 400)
    }

    @Test func patchOfMissingObjectIs404() async throws {
        for type in [PatchType.merge, .json, .strategicMerge] {
            let e = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "none"), subresource: nil, type: type, body: type == .json ? [] : [:], options: WriteOptions()) }
            #expect(e?.code == 404)
        }
    }

    @Test func patchWithStaleResourceVersionIs409() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let e = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["metadata": ["resourceVersion": "1"], "data": ["q": "1"]], options: WriteOptions()) }
        #expect(e?.code == 409)
    }

    @Test func applyCreatesThenUpdates() async throws {
        let config = configMap("applied", data: ["a": "1"])
        let created = try await cluster.patch(ref(R.configmaps, "applied"), subresource: nil, type: .apply, body: config, options: WriteOptions(fieldManager: "yopf"))
        #expect(created["data"] == ["a": "1"])
        #expect(created.objectUID.isEmpty == false)
        let managers = (created["metadata"]?["managedFields"]?.array ?? []).compactMap { $0["operation"]?.string }
        #expect(managers == ["Apply"])
        let again = try await cluster.patch(ref(R.configmaps, "applied"), subresource: nil, type: .apply, body: config, options: WriteOptions(fieldManager: "yopf"))
        #expect(again.objectResourceVersion == created.objectResourceVersion)
        let changed = try await cluster.patch(ref(R.configmaps, "applied"), subresource: nil, type: .apply, body: configMap("applied", data: ["a": "2"]), options: WriteOptions(fieldManager: "yopf"))
        #expect(changed["data"] == ["a": "2"])
    }

    @Test func applyConflictIs409WithCauses() async throws {
        _ = try await cluster.patch(ref(R.configmaps, "c"), subresource: nil, type: .apply, body: configMap("c", data: ["a": "1"]), options: WriteOptions(fieldManager: "one"))
        let e = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "c"), subresource: nil, type: .apply, body: configMap("c", data: ["a": "2"]), options: WriteOptions(fieldManager: "two")) }
        #expect(e?.code == 409 && e?.reason == "Conflict")
        #expect(e?.message.hasPrefix("Apply failed with 1 conflict: conflict with ") == true && e?.message.contains("one") == true)
        #expect(e?.status["details"]?["causes"]?[0]?["reason"] == "FieldManagerConflict")
        let forced = try await cluster.patch(ref(R.configmaps, "c"), subresource: nil, type: .apply, body: configMap("c", data: ["a": "2"]), options: WriteOptions(fieldManager: "two", force: true))
        #expect(forced["data"]?["a"] == "2")
    }

    @Test func applyNeedsFieldManager() async throws {
        let e = await kubeError { _ = try await cluster.patch(ref(R.configmaps, "x"), subresource: nil, type: .apply, body: configMap("x"), options: WriteOptions()) }
        #expect(e?.code == 400)
    }

    @Test func strategicMergeOnCustomResourceIs415() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        let e = await kubeError { _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .strategicMerge, body: ["spec": ["image": "x"]], options: WriteOptions()) }
        #expect(e?.code == 415)
    }
}
