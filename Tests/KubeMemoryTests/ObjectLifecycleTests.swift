import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct ObjectLifecycleTests {
    let cluster = MemoryCluster()

    @Test func createStampsServerFields() async throws {
        let o = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let uid = try #require(o["metadata"]?["uid"]?.string)
        let parts = uid.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(Array(uid)[14] == "4")
        let ts = try #require(o["metadata"]?["creationTimestamp"]?.string)
        #expect(ts.count == 20 && ts.hasSuffix("Z") && Array(ts)[10] == "T")
        #expect(Int(o.objectResourceVersion) != nil)
        #expect(o["metadata"]?["namespace"] == "default")
        #expect(o["apiVersion"] == "v1" && o["kind"] == "ConfigMap")
        #expect(o["metadata"]?["generation"] == nil)
    }

    @Test func resourceVersionsIncreaseAcrossTypes() async throws {
        let a = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let b = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        let c = try await cluster.create(R.configmaps, namespace: "default", body: configMap("c"))
        let rvs = [a, b, c].compactMap { Int($0.objectResourceVersion) }
        #expect(rvs.count == 3 && rvs[0] < rvs[1] && rvs[1] < rvs[2])
        #expect(cluster.currentResourceVersion == c.objectResourceVersion)
    }

    @Test func namespaceFromURLAndMismatch() async throws {
        let o = try await cluster.create(R.configmaps, namespace: "kube-system", body: configMap("a", namespace: nil))
        #expect(o["metadata"]?["namespace"] == "kube-system")
        let e = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("b", namespace: "kube-system")) }
        #expect(e?.code == 400)
    }

    @Test func missingNamespaceIs404() async throws {
        let e = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "nope", body: configMap("a", namespace: nil)) }
        #expect(e?.code == 404)
        #expect(e?.message == "namespaces \"nope\" not found")
    }

    @Test func apiVersionAndKindMustMatchURL() async throws {
        var body = configMap("a")
        body["kind"] = "Secret"
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: body) }?.code == 400)
        body = configMap("a")
        body["apiVersion"] = "apps/v1"
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: body) }?.code == 400)
    }

    @Test func namesAreValidated() async throws {
        let e = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("Bad_Name")) }
        #expect(e?.code == 422)
        #expect(e?.reason == "Invalid")
        #expect(e?.message.hasPrefix("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"") == true)
        var noName = configMap("x")
        noName.set(nil, at: ["metadata", "name"])
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: noName) }?.code == 422)
    }

    @Test func generateNameAddsFiveCharacters() async throws {
        var body = configMap("x")
        body.set(nil, at: ["metadata", "name"])
        body.set("job-", at: ["metadata", "generateName"])
        let o = try await cluster.create(R.configmaps, namespace: "default", body: body)
        #expect(o.objectName.hasPrefix("job-") && o.objectName.count == 9)
    }

    @Test func duplicateCreateIs409AlreadyExists() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let e = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a")) }
        #expect(e?.code == 409 && e?.reason == "AlreadyExists")
        #expect(e?.message == "configmaps \"a\" already exists")
    }

    @Test func staleUpdateIs409AndFreshUpdateBumpsVersion() async throws {
        let first = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        var next = first
        next["data"] = ["k": "v2"]
        let second = try await cluster.update(ref(R.configmaps, "a"), subresource: nil, body: next, options: WriteOptions())
        #expect(Int(second.objectResourceVersion)! > Int(first.objectResourceVersion)!)
        #expect(second["data"]?["k"] == "v2")
        #expect(second.objectUID == first.objectUID)
        let e = await kubeError { _ = try await cluster.update(ref(R.configmaps, "a"), subresource: nil, body: next, options: WriteOptions()) }
        #expect(e?.code == 409 && e?.reason == "Conflict")
        #expect(e?.message == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again")
    }

    @Test func updateOfMissingObjectIs404() async throws {
        let e = await kubeError { _ = try await cluster.update(ref(R.configmaps, "zz"), subresource: nil, body: configMap("zz"), options: WriteOptions()) }
        #expect(e?.code == 404)
    }

    @Test func noOpUpdateKeepsVersionAndSendsNoEvent() async throws {
        let first = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let stream = try await cluster.watch(R.configmaps, namespace: "default", options: WatchOptions(resourceVersion: first.objectResourceVersion, timeoutSeconds: 30))
        let same = try await cluster.update(ref(R.configmaps, "a"), subresource: nil, body: first, options: WriteOptions())
        #expect(same.objectResourceVersion == first.objectResourceVersion)
        let patched = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["k": "v"]], options: WriteOptions())
        #expect(patched.objectResourceVersion == first.objectResourceVersion)
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("marker"))
        let events = try await take(1, from: stream)
        #expect(events.map(\.object.objectName) == ["marker"])
    }

    @Test func generationCountsSpecChangesOnly() async throws {
        let d = try await cluster.create(R.deployments, namespace: "default", body: deployment("d"))
        #expect(d["metadata"]?["generation"] == 1)
        let labelled = try await cluster.patch(ref(R.deployments, "d"), subresource: nil, type: .merge, body: ["metadata": ["labels": ["x": "y"]]], options: WriteOptions())
        #expect(labelled["metadata"]?["generation"] == 1)
        let scaled = try await cluster.patch(ref(R.deployments, "d"), subresource: nil, type: .merge, body: ["spec": ["replicas": 3]], options: WriteOptions())
        #expect(scaled["metadata"]?["generation"] == 2)
        let status = try await cluster.patch(ref(R.deployments, "d"), subresource: "status", type: .merge, body: ["status": ["replicas": 3]], options: WriteOptions())
        #expect(status["metadata"]?["generation"] == 2)
    }

    @Test func customResourceUpdateNeedsResourceVersion() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        var cr = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        cr.set(nil, at: ["metadata", "resourceVersion"])
        let e = await kubeError { _ = try await cluster.update(ref(R.mysqls, "db"), subresource: nil, body: cr, options: WriteOptions()) }
        #expect(e?.code == 422)
        #expect(e?.message == "MySQL.otus.homework \"db\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
    }

    @Test func managedFieldsRecordTheManager() async throws {
        let o = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"), options: WriteOptions(fieldManager: "yopf"))
        let managers = (o["metadata"]?["managedFields"]?.array ?? []).compactMap { $0["manager"]?.string }
        #expect(managers == ["yopf"])
        let p = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["n": "1"]], options: WriteOptions())
        let after = (p["metadata"]?["managedFields"]?.array ?? []).compactMap { $0["manager"]?.string }
        #expect(Set(after) == ["yopf", "unknown"])
    }

    @Test func dryRunStoresNothing() async throws {
        let rv = cluster.currentResourceVersion
        let o = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"), options: WriteOptions(dryRun: true))
        #expect(o.objectName == "a")
        #expect(cluster.currentResourceVersion == rv)
        #expect(await kubeError { _ = try await cluster.get(ref(R.configmaps, "a")) }?.code == 404)
    }

    @Test func malformedBodiesAreRejectedNotCrashing() async throws {
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: "text") }?.code == 400)
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: ["metadata": 3]) }?.code == 400)
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: ["metadata": ["name": "a", "labels": ["x": 1]]]) }?.code == 400)
        let unknown = GroupVersionResource(group: "nope.io", version: "v1", resource: "things")
        #expect(await kubeError { _ = try await cluster.list(unknown) }?.code == 404)
    }
}
