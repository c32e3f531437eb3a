import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// What etcd refuses, the in-memory server refuses: an object over 1.5 MiB is not stored,
/// with kube-apiserver's answer for it (a 500 "etcdserver: request is too large", measured on
/// v1.28.15), and what was stored before stays as it was.
@Suite struct StoredSizeLimitTests {
    let cluster = MemoryCluster()
    let big = String(repeating: "x", count: 2_000_000)

    @Test func aCreateOverTheLimitIsRefusedAndNothingIsStored() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let e = await kubeError { _ = try await cluster.create(R.mysqls, namespace: "default", body: mysql("huge", spec: ["image": .string(big)])) }
        #expect(e?.code == 500)
        #expect(e?.message == "etcdserver: request is too large")
        #expect(e?.reason == "")
        let gone = await kubeError { _ = try await cluster.get(ref(R.mysqls, "huge"), subresource: nil) }
        #expect(gone?.code == 404)
        // Just under the limit is stored.
        let fits = String(repeating: "y", count: 1_500_000)
        let stored = try await cluster.create(R.mysqls, namespace: "default", body: mysql("fits", spec: ["image": .string(fits)]))
        #expect(stored["spec"]?["image"]?.string?.count == 1_500_000)
    }

    @Test func anUpdateOverTheLimitLeavesTheObjectAsItWas() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let created = try await cluster.create(R.mysqls, namespace: "default", body: mysql("db"))
        var grown = created
        grown["status"] = ["log": .string(big)]
        let e = await kubeError { _ = try await cluster.update(ref(R.mysqls, "db"), subresource: "status", body: grown, options: WriteOptions()) }
        #expect(e?.code == 500 && e?.message == "etcdserver: request is too large")
        let now = try await cluster.get(ref(R.mysqls, "db"), subresource: nil)
        #expect(now["status"]?["log"] == nil)
        #expect(now.objectResourceVersion == created.objectResourceVersion)
        // A dry run never reaches etcd: kube-apiserver answers it.
        let dry = try await cluster.update(ref(R.mysqls, "db"), subresource: "status", body: grown, options: WriteOptions(dryRun: true))
        #expect(dry["status"]?["log"]?.string?.count == 2_000_000)
    }
}
