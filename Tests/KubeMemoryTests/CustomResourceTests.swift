import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct CustomResourceTests {
    let cluster = MemoryCluster()

    @Test func crdRegistersTypeAndGetsStatus() async throws {
        let crd = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let conditions = crd["status"]?["conditions"]?.array ?? []
        #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
        #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
        #expect(crd["status"]?["acceptedNames"]?["kind"] == "MySQL")
        #expect(crd["status"]?["acceptedNames"]?["listKind"] == "MySQLList")
        let info = try #require(cluster.resourceInfo(for: GroupVersionKind(group: "otus.homework", version: "v1", kind: "MySQL")))
        #expect(info.gvr == R.mysqls && info.namespaced && info.shortNames == ["ms"] && info.subresources == ["status", "scale"])
        #expect(try await cluster.resources().contains { $0.gvr == R.mysqls })
        #expect(cluster.openAPISchema(for: info.gvk)?["properties"]?["spec"]?["type"] == "object")
        let cr = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        #expect(cr["metadata"]?["generation"] == 1)
        let list = try await cluster.list(R.mysqls)
        #expect(list["kind"] == "MySQLList" && list["items"]?.array?.count == 1)
    }

    @Test func crdValidation() async throws {
        var bad = mysqlCRD
        bad.set("wrong.name", at: ["metadata", "name"])
        let e = await kubeError { _ = try await cluster.create(R.crds, namespace: nil, body: bad) }
        #expect(e?.code == 422)
    }

    @Test func schemaPrunesDefaultsAndValidates() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let cr = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db", spec: ["image": "m", "unknown": 1]))
        #expect(cr["spec"]?["unknown"] == nil)
        #expect(cr["spec"]?["replicas"] == 1)
        let e = await kubeError { _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("bad", spec: ["image": 5])) }
        #expect(e?.code == 422 && e?.reason == "Invalid")
        #expect(e?.status["details"]?["causes"]?.array?.isEmpty == false)
        let missing = await kubeError { _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("bad", spec: [:])) }
        #expect(missing?.code == 422)
        let patchBad = await kubeError { _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .merge, body: ["spec": ["replicas": "three"]], options: WriteOptions()) }
        #expect(patchBad?.code == 422)
    }

    /// kubectl sends fieldValidation=Strict: a field the schema does not declare fails the
    /// write with kube's strict-decoding message; without it (or with Ignore) it is pruned.
    @Test func strictFieldValidationRefusesUndeclaredFields() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let strict = WriteOptions(fieldValidation: .strict)
        let created = await kubeError {
            _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db", spec: ["image": "m", "imagee": "n", "sizes": 2]), options: strict)
        }
        #expect(created?.code == 400 && created?.reason == "BadRequest")
        #expect(created?.message == #"MySQL in version "v1" cannot be handled as a MySQL: strict decoding error: unknown field "spec.imagee", unknown field "spec.sizes""#)
        #expect(await kubeError { _ = try await cluster.get(ref(R.mysqls, "db")) }?.code == 404, "nothing was stored")

        _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"), options: strict)
        let patched = await kubeError {
            _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .merge, body: ["spec": ["replica": 3]], options: strict)
        }
        #expect(patched?.message.hasSuffix(#"strict decoding error: unknown field "spec.replica""#) == true)
        var body = try await cluster.get(ref(R.mysqls, "db"))
        body.set(.string("x"), at: ["spec", "typo"])
        let updated = await kubeError { _ = try await cluster.update(ref(R.mysqls, "db"), subresource: nil, body: body, options: strict) }
        #expect(updated?.code == 400)
        // status preserves unknown fields in this CRD: anything goes there.
        _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: "status", type: .merge, body: ["status": ["any": ["thing": 1]]], options: strict)

        for validation in [FieldValidation.ignore, .warn, nil] {
            let name = "lenient-\(validation?.rawValue.lowercased() ?? "default")"
            let cr = try await cluster.create(R.mysqls, namespace: "default", body: mysql(name, spec: ["image": "m", "imagee": "n"]),
                                              options: WriteOptions(fieldValidation: validation))
            #expect(cr["spec"]?["imagee"] == nil, "pruned with \(String(describing: validation))")
        }
    }

    /// Server-side apply cannot type a field the schema does not declare, whatever
    /// fieldValidation says (kube answers 500 with this text; 400 here).
    @Test func serverSideApplyRefusesUndeclaredFields() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        var config = mysql("db", spec: ["image": "m", "extra": ["deep": 1]])
        config.set("default", at: ["metadata", "namespace"])
        let e = await kubeError {
            _ = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .apply, body: config, options: WriteOptions(fieldManager: "me"))
        }
        #expect(e?.code == 400)
        #expect(e?.message == "failed to create typed patch object (otus.homework/v1, Kind=MySQL): .spec.extra: field not declared in schema")
        config.set(nil, at: ["spec", "extra"])
        let applied = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .apply, body: config, options: WriteOptions(fieldManager: "me"))
        #expect(applied["spec"]?["image"] == "m")
    }

    @Test func statusSubresourceGenerationRules() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        let s = try await cluster.patch(ref(R.mysqls, "db"), subresource: "status", type: .merge, body: ["status": ["phase": "Ready"]], options: WriteOptions())
        #expect(s["status"]?["phase"] == "Ready" && s["metadata"]?["generation"] == 1)
        let spec = try await cluster.patch(ref(R.mysqls, "db"), subresource: nil, type: .merge, body: ["spec": ["image": "mysql:9"], "status": ["phase": "x"]], options: WriteOptions())
        #expect(spec["metadata"]?["generation"] == 2 && spec["status"]?["phase"] == "Ready")
    }

    @Test func deletingCRDRemovesItsObjectsAndType() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        _ = try await cluster.delete(ObjectRef(R.crds, namespace: nil, name: "mysqls.otus.homework"))
        #expect(await kubeError { _ = try await cluster.get(ObjectRef(R.crds, namespace: nil, name: "mysqls.otus.homework")) }?.code == 404)
        #expect(cluster.resourceInfo(for: R.mysqls) == nil)
        #expect(await kubeError { _ = try await cluster.list(R.mysqls) }?.code == 404)
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        #expect(try await cluster.list(R.mysqls)["items"]?.array?.isEmpty == true)
    }

    @Test func clusterScopedCustomResources() async throws {
        var crd = mysqlCRD
        crd.set("Cluster", at: ["spec", "scope"])
        _ = try await cluster.create(R.crds, namespace: nil, body: crd)
        let o = try await cluster.create(R.mysqls, namespace: nil, body: mysql("global"))
        #expect(o["metadata"]?["namespace"] == nil)
        #expect(cluster.resourceInfo(for: R.mysqls)?.namespaced == false)
    }
}
