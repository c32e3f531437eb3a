import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct LabelSelectorParsingTests {
    let labels = ["app": "web", "tier": "front", "n": "5"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app!=db", true),
        ("app in (db, web)", true), ("app notin (web)", false), ("missing notin (x)", true),
        ("app", true), ("!app", false), ("!missing", true), ("app=web,tier=back", false),
        ("n>4", true), ("n<4", false), ("", true), ("missing!=x", true), ("app=", false),
    ])
    func matching(selector: String, expected: Bool) throws {
        let s = try LabelSelector(parsing: selector)
        #expect(s.matches(labels) == expected)
    }

    @Test(arguments: ["app in web", "app in (a", "=x", "app=web,", "a b", "app=(x)", "n>x", "bad key!/x=1"])
    func parseErrorsAre400(selector: String) {
        #expect(throws: KubeError.self) { try LabelSelector(parsing: selector) }
        do { _ = try LabelSelector(parsing: selector) } catch { #expect(error.code == 400) }
    }

    @Test func selectorObjectToString() {
        let s = LabelSelector.string(fromObject: ["matchLabels": ["b": "2", "a": "1"], "matchExpressions": [["key": "t", "operator": "In", "values": ["y", "x"]]]])
        #expect(s == "a=1,b=2,t in (x,y)")
    }
}

@Suite struct ListTests {
    let cluster = MemoryCluster()

    func seed() async throws {
        _ = try await cluster.create(R.namespaces, namespace: nil, body: ["metadata": ["name": "other"]])
        for (ns, name, app) in [("default", "c", "web"), ("default", "a", "db"), ("other", "b", "web"), ("default", "b", "web")] {
            _ = try await cluster.create(R.configmaps, namespace: ns, body: configMap(name, namespace: ns, labels: ["app": .string(app)]))
        }
    }

    @Test func listIsSortedAndShaped() async throws {
        try await seed()
        let all = try await cluster.list(R.configmaps)
        #expect(all["kind"] == "ConfigMapList" && all["apiVersion"] == "v1")
        #expect(all["metadata"]?["resourceVersion"]?.string == cluster.currentResourceVersion)
        let names = (all["items"]?.array ?? []).map { "\($0.objectNamespace)/\($0.objectName)" }
        #expect(names == ["default/a", "default/b", "default/c", "other/b"])
        let inDefault = try await cluster.list(R.configmaps, namespace: "default")
        #expect(inDefault["items"]?.array?.count == 3)
    }

    @Test func labelAndFieldSelectors() async throws {
        try await seed()
        let web = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(labelSelector: "app=web"))
        #expect(web["items"]?.array?.count == 3)
        let named = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(labelSelector: "app in (web)", fieldSelector: "metadata.name=b,metadata.namespace!=other"))
        #expect((named["items"]?.array ?? []).map(\.objectNamespace) == ["default"])
        let e = await kubeError { _ = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(fieldSelector: "spec.x=1")) }
        #expect(e?.code == 400 && e?.message == "field label not supported: spec.x")
        #expect(await kubeError { _ = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(labelSelector: "app in web")) }?.code == 400)
    }

    @Test func paginationWalksEverythingOnce() async throws {
        try await seed()
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(limit: 3, continueToken: token))
            seen += (page["items"]?.array ?? []).map { "\($0.objectNamespace)/\($0.objectName)" }
            token = page["metadata"]?["continue"]?.string
            if pages == 0 { #expect(page["metadata"]?["remainingItemCount"] == 1) }
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 2)
        #expect(seen == ["default/a", "default/b", "default/c", "other/b"])
        #expect(await kubeError { _ = try await cluster.list(R.configmaps, namespace: nil, options: ListOptions(limit: 1, continueToken: "zz")) }?.code == 400)
    }

    @Test func discoveryNamesBuiltinsAndShortNames() async throws {
        let all = try await cluster.resources()
        let cm = try #require(all.first { $0.gvr == R.configmaps })
        #expect(cm.shortNames == ["cm"] && cm.namespaced)
        let deploy = try #require(cluster.resourceInfo(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        #expect(deploy.shortNames == ["deploy"] && deploy.categories == ["all"] && deploy.subresources == ["status", "scale"])
        #expect(cluster.resourceInfo(for: R.namespaces)?.namespaced == false)
        for kind in ["Lease", "Role", "ClusterRoleBinding", "CronJob", "PersistentVolumeClaim", "ServiceAccount"] {
            #expect(all.contains { $0.kind == kind })
        }
    }
}
