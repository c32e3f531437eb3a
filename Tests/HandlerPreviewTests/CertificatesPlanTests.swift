import HandlerPreview
import JSONValue
import Testing

/// `yopf plan` on the shipped certificates operator: the `forEach` over the tenant's
/// names is rendered once per registrable domain; what depends on the certificates that
/// exist (the prune) shows placeholders without a cluster.
@Suite struct CertificatesPlanTests {
    static let handlers = "handlers/certificates"

    @Test func oneCertificatePerRegistrableDomain() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/certificates/samples/tenant.yaml"))
        #expect(report.problems == 0, "\(report.text)")
        #expect(report.plan["cause"] == "create")
        #expect(report.plan["filter"] == nil, "the operator has no watch filter")
        let handler = try #require(report.plan.handler("certificates"))
        #expect(handler["runs"] == true)
        #expect(handler["why"] == "on: reconcile (create); when `.spec.managed != false` is true")

        let existing = try #require(handler.step("existing"))
        #expect(existing["list"] == ["apiVersion": "cert-manager.io/v1", "kind": "Certificate", "namespace": "default",
                                     "selector": "yopf.dev/tenant=acme"])
        #expect(existing["read"]?.string?.contains("--cluster") == true)

        // example.co.uk, example.com, x.github.io, y.github.io (github.io is a public suffix).
        let certs = (0..<4).compactMap { handler.step("certificates[\($0)]") }
        #expect(certs.count == 4)
        #expect(handler.step("certificates[4]") == nil)
        let byDomain = Dictionary(uniqueKeysWithValues: certs.compactMap { c -> (String, JSON)? in
            guard let domain = c["item"]?["domain"]?.string, let cert = c["apply"]?[0] else { return nil }
            return (domain, cert)
        })
        #expect(byDomain.keys.sorted() == ["example.co.uk", "example.com", "x.github.io", "y.github.io"])
        let uk = try #require(byDomain["example.co.uk"])
        #expect(uk["metadata"]?["name"] == "acme-example-co-uk")
        #expect(uk["spec"]?["dnsNames"] == ["shop.example.co.uk", "www.example.co.uk"])
        #expect(uk["spec"]?["secretName"] == "acme-example-co-uk-tls")
        #expect(uk["metadata"]?["labels"]?["yopf.dev/registered-domain"] == "example.co.uk")
        #expect(uk["metadata"]?["ownerReferences"]?[0]?["kind"] == "Tenant")
        #expect(byDomain["example.com"]?["spec"]?["dnsNames"] == ["a.b.example.com", "example.com"])
        #expect(byDomain["x.github.io"]?["spec"]?["dnsNames"] == ["x.github.io"])

        // Which certificates to prune depends on those that exist: one entry, with placeholders.
        let pruned = try #require(handler.step("pruned"))
        #expect(pruned["forEach"]?.string?.contains("<output of step existing>") == true)
        #expect(pruned["delete"]?["name"] == "<item from output of step existing>")
        #expect(handler.step("3-status")?["status"] == ["ignoredDomains": []])
        #expect(handler["result"] == "<output of step certificates>")
        #expect(report.notes.contains { $0.contains("cert-manager.io/v1 Certificate") })
    }

    @Test func unmanagedTenantIsReleased() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let old = try PreviewSupport.object("handlers/certificates/samples/tenant.yaml")
        var new = old
        new.set(false, at: ["spec", "managed"])
        let report = try await PreviewSupport.plan(loaded, object: new, old: old)
        #expect(report.plan["changes"] == ["spec.managed": "added: false"])
        #expect(report.plan.handler("certificates")?["runs"] == false)
        #expect(report.plan.handler("certificates")?["why"] == "on: reconcile (update); when `.spec.managed != false` is false")
        let release = try #require(report.plan.handler("release"))
        #expect(release["runs"] == true)
        #expect(release.step("removed")?["delete"]?["wait"] == "until it is gone")
        #expect(release["result"] == "<output of step removed>")
    }

    @Test func timerRendersTheStatusItWouldWrite() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/certificates/samples/tenant.yaml"), event: .timer("check"))
        #expect(report.plan["cause"] == "timer check")
        let check = try #require(report.plan["handlers"]?.array)
        #expect(check.count == 1)
        let status = try #require(check[0].step("1-status")?["status"])
        #expect(status["domains"] == "<output of step certs>")
        #expect(status["conditions"]?[0]?["reason"] == "CertificatesChecked")
        #expect(status["conditions"]?[0]?["status"] == "<output of step certs>")
    }

    @Test func anUnknownTimerIsAnErrorThatNamesTheTimers() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        await #expect(throws: PreviewError.self) {
            _ = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/certificates/samples/tenant.yaml"), event: .timer("nope"))
        }
        do {
            _ = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/certificates/samples/tenant.yaml"), event: .timer("nope"))
        } catch {
            #expect("\(error)".contains("its timer handlers: check"))
        }
    }
}
