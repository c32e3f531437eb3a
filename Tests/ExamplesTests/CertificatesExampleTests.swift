import JSONValue
import Kube
import Synchronization
import Testing

/// The certificates example (handlers/certificates) on the in-memory cluster: create,
/// update, unmanage, delete, and the readiness timer.
@Suite struct CertificatesExampleTests {
    static let certificates = GroupVersionResource(group: "cert-manager.io", version: "v1", resource: "certificates")
    static let tenants = GroupVersionResource(group: "yopf.dev", version: "v1", resource: "tenants")
    let acme = ObjectRef(tenants, namespace: "default", name: "acme")

    func certs(_ h: ExampleHarness) async throws -> [String: [String]] {
        let list = try await h.cluster.list(Self.certificates, namespace: "default")
        var out: [String: [String]] = [:]
        for item in list["items"]?.array ?? [] {
            out[item["metadata"]?["name"]?.string ?? ""] = (item["spec"]?["dnsNames"]?.array ?? []).compactMap(\.string)
        }
        return out
    }

    @Test func certificatesFollowTheTenantThroughItsLife() async throws {
        let h = try ExampleHarness(handlers: "handlers/certificates")
        try await h.installCRD()
        try await h.apply(file: "handlers/certificates/crds/certificate.yaml")
        try await h.apply(file: "handlers/certificates/samples/tenant.yaml")
        let run = Task { try await h.runner.run() }
        defer { run.cancel() }

        // One certificate per registrable domain; github.io is a public suffix.
        let expected: [String: [String]] = [
            "acme-example-co-uk": ["shop.example.co.uk", "www.example.co.uk"],
            "acme-example-com": ["a.b.example.com", "example.com"],
            "acme-x-github-io": ["x.github.io"],
            "acme-y-github-io": ["y.github.io"],
        ]
        let first = try await h.eventually("four certificates") { () -> [String: [String]]? in
            let c = try await certs(h)
            return c.count == 4 ? c : nil
        }
        #expect(first == expected)
        let tenant = try await h.eventually("Ready") { () -> JSON? in
            let t = try await h.cluster.get(acme)
            return t["status"]?["certificates"] != nil ? t : nil
        }
        #expect(tenant["status"]?["certificates"]?["certificates"]?.array?.count == 4)
        #expect(tenant["metadata"]?["finalizers"]?.array?.contains("yopf.dev/finalizer") == true)

        // Owner references tie the certificates to the tenant.
        let cert = try await h.cluster.get(ObjectRef(Self.certificates, namespace: "default", name: "acme-example-com"))
        #expect(cert["metadata"]?["ownerReferences"]?[0]?["name"] == "acme")
        let rvBefore = cert["metadata"]?["resourceVersion"]

        // A name moves in and one goes: x.github.io's certificate is pruned, example.com's grows.
        _ = try await h.cluster.patch(acme, subresource: nil, type: .merge, body: ["spec": ["domains": [
            "shop.example.co.uk", "www.example.co.uk", "a.b.example.com", "example.com", "new.example.com", "y.github.io",
        ]]], options: WriteOptions())
        let second = try await h.eventually("the update") { () -> [String: [String]]? in
            let c = try await certs(h)
            return c["acme-x-github-io"] == nil && c["acme-example-com"]?.count == 3 ? c : nil
        }
        #expect(second["acme-example-com"] == ["a.b.example.com", "example.com", "new.example.com"])
        #expect(second.count == 3)
        // Certificates whose names did not change are not rewritten.
        let untouched = try await h.cluster.get(ObjectRef(Self.certificates, namespace: "default", name: "acme-example-co-uk"))
        let coUKBefore = first["acme-example-co-uk"]
        #expect(untouched["spec"]?["dnsNames"]?.array?.compactMap(\.string) == coUKBefore)
        _ = rvBefore

        // The timer reads the certificates' readiness into the tenant's status.
        _ = try await h.cluster.patch(ObjectRef(Self.certificates, namespace: "default", name: "acme-example-com"), subresource: "status",
                                      type: .merge, body: ["status": ["conditions": [["type": "Ready", "status": "True"]], "notAfter": "2027-01-01T00:00:00Z"]],
                                      options: WriteOptions())
        let summary = try await h.eventually("the timer's summary", seconds: 60) { () -> JSON? in
            let t = try await h.cluster.get(acme)
            return t["status"]?["domains"]?["example.com"]?["ready"] == true ? t["status"] : nil
        }
        #expect(summary["domains"]?["example.com"]?["notAfter"] == "2027-01-01T00:00:00Z")
        #expect(summary["domains"]?["example.co.uk"]?["ready"] == false)
        let ready = summary["conditions"]?.array?.first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "False")
        #expect(ready?["reason"] == "CertificatesChecked")

        // managed: false releases the tenant's certificates.
        _ = try await h.cluster.patch(acme, subresource: nil, type: .merge, body: ["spec": ["managed": false]], options: WriteOptions())
        _ = try await h.eventually("certificates released") { () -> Bool? in try await certs(h).isEmpty ? true : nil }

        // Delete: the handler runs, the finalizer goes, the tenant is gone.
        _ = try await h.cluster.delete(acme)
        _ = try await h.eventually("the tenant gone") { () -> Bool? in
            do { _ = try await h.cluster.get(acme); return nil } catch let e as KubeError where e.code == 404 { return true }
        }
    }

    @Test func tenantsInOtherNamespacesAndUnmanagedOnesAreSeparate() async throws {
        let h = try ExampleHarness(handlers: "handlers/certificates")
        try await h.installCRD()
        try await h.apply(file: "handlers/certificates/crds/certificate.yaml")
        _ = try await h.cluster.create(Self.tenants, namespace: "default", body: [
            "apiVersion": "yopf.dev/v1", "kind": "Tenant", "metadata": ["name": "off", "namespace": "default"],
            "spec": ["domains": ["a.example.org"], "managed": false],
        ], options: WriteOptions())
        _ = try await h.cluster.create(Self.tenants, namespace: "default", body: [
            "apiVersion": "yopf.dev/v1", "kind": "Tenant", "metadata": ["name": "on", "namespace": "default"],
            "spec": ["domains": ["b.example.org", "localhost"]],
        ], options: WriteOptions())
        let run = Task { try await h.runner.run() }
        defer { run.cancel() }
        let on = try await h.eventually("tenant on handled") { () -> JSON? in
            let t = try await h.cluster.get(ObjectRef(Self.tenants, namespace: "default", name: "on"))
            return t["status"]?["certificates"] != nil ? t : nil
        }
        #expect(on["status"]?["ignoredDomains"] == ["localhost"])
        let names = try await certs(h)
        #expect(names == ["on-example-org": ["b.example.org"]])
    }

    /// A tenant with 100 registrable domains: 100 certificates in the result, the resource
    /// well under 256 KiB while handled and after, and the readiness timer working on all
    /// of them (step outputs reach later steps whole; only what a resume needs is kept).
    @Test func aTenantWithAHundredDomains() async throws {
        let h = try ExampleHarness(handlers: "handlers/certificates")
        try await h.installCRD()
        try await h.apply(file: "handlers/certificates/crds/certificate.yaml")
        let names: [JSON] = (0..<100).map { .string("www.shop\($0)-example.co.uk") } + (0..<100).map { .string("api.shop\($0)-example.co.uk") }
        _ = try await h.cluster.create(Self.tenants, namespace: "default", body: [
            "apiVersion": "yopf.dev/v1", "kind": "Tenant", "metadata": ["name": "big", "namespace": "default"],
            "spec": ["domains": .array(names)],
        ], options: WriteOptions())
        let big = ObjectRef(Self.tenants, namespace: "default", name: "big")
        // The largest the resource gets while it is handled.
        let largest = LargestSeen()
        let sampler = Task {
            while !Task.isCancelled {
                if let t = try? await h.cluster.get(big) { largest.note(t.serializedBytes().count) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let run = Task { try await h.runner.run() }
        defer { run.cancel(); sampler.cancel() }
        let tenant = try await h.eventually("the result", seconds: 120) { () -> JSON? in
            let t = try await h.cluster.get(big)
            return t["status"]?["certificates"] != nil ? t : nil
        }
        #expect(tenant["status"]?["certificates"]?["certificates"]?.array?.count == 100)
        #expect(try await certs(h).count == 100)
        #expect(try await certs(h)["big-shop0-example-co-uk"] == ["api.shop0-example.co.uk", "www.shop0-example.co.uk"])
        #expect(tenant["status"]?["yopf"]?["progress"]?["certificates"]?["steps"] == nil, "a finished handler keeps no outputs")
        // The readiness timer (5 s after start) sees all 100.
        let checked = try await h.eventually("the timer's summary", seconds: 120) { () -> JSON? in
            let t = try await h.cluster.get(big)
            return t["status"]?["domains"]?.object?.count == 100 ? t : nil
        }
        #expect(checked["status"]?["yopf"]?["progress"]?["check"]?["success"] == true)
        let size = checked.serializedBytes().count
        #expect(size < 128 << 10, "the tenant is \(size) bytes")
        #expect(largest.value < 200 << 10, "the tenant reached \(largest.value) bytes while handled")
    }
}

final class LargestSeen: Sendable {
    private let max = Mutex(0)
    func note(_ n: Int) { max.withLock { $0 = Swift.max($0, n) } }
    var value: Int { max.withLock { $0 } }
}
