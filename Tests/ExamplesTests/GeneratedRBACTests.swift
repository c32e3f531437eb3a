import JSONValue
import Kube
import KubeMemory
import Manifests
import Spec
import Testing

/// The RBAC that `yopf manifests` derives is enough, and needed: the MySQL example runs as
/// its generated ServiceAccount on an RBAC-enforcing cluster through create, update and
/// delete; with one generated rule removed, the resource shows a Forbidden failure.
@Suite struct GeneratedRBACTests {
    static let namespace = "yopf-system"
    static let account = "mysql-operator"
    static let mysqls = MySQLExampleTests.mysqls
    let instance = ObjectRef(MySQLExampleTests.mysqls, namespace: "default", name: MySQLExampleTests.name)

    /// The manifests' RBAC objects created as the cluster admin; `drop` removes a rule.
    func install(_ h: ExampleHarness, drop: ((JSON) -> Bool)? = nil) async throws {
        let manifests = DeploymentManifests(operators: [h.loaded], options: .init(image: "unused", namespace: Self.namespace))
        #expect(manifests.gaps.isEmpty, "\(manifests.gaps)")
        for var doc in manifests.documents where doc["kind"] != "Deployment" {
            if let drop, doc["kind"] == "ClusterRole" {
                let rules = doc["rules"]?.array ?? []
                let kept = rules.filter { !drop($0) }
                #expect(kept.count == rules.count - 1, "exactly one rule is dropped")
                doc["rules"] = .array(kept)
            }
            let gvk = GroupVersionKind(apiVersion: doc["apiVersion"]?.string ?? "", kind: doc["kind"]?.string ?? "")
            guard let info = h.cluster.resourceInfo(for: gvk) else { Issue.record("no resource for \(gvk)"); continue }
            _ = try await h.cluster.create(info.gvr, namespace: info.namespaced ? doc["metadata"]?["namespace"]?.string : nil, body: doc,
                                           options: WriteOptions())
        }
    }

    func harness() throws -> ExampleHarness {
        try ExampleHarness(handlers: "handlers/mysql", cluster: MemoryCluster(configuration: .init(authorization: .rbac))) { cluster in
            cluster.session(as: .serviceAccount(namespace: Self.namespace, name: Self.account))
        }
    }

    @Test func theGeneratedRulesAreEnoughForCreateUpdateAndDelete() async throws {
        let h = try harness()
        try await install(h)
        let pods = ScriptedMySQL()
        let simulator = h.startWorkloads(pods.runner(cluster: h.cluster))
        try await h.apply(file: "handlers/mysql/samples/mysql.yaml")
        let run = Task { try await h.runner.run() }
        defer { run.cancel() }

        let created = try await h.eventually("created", seconds: 60) { () -> String? in
            try await h.cluster.get(instance)["status"]?["mysql_on_create"]?["message"]?.string
        }
        #expect(created.hasPrefix("mysql-instance created"))

        _ = try await h.cluster.patch(instance, subresource: nil, type: .merge,
                                      body: ["spec": ["password": .string(MySQLExampleTests.newPassword)]], options: WriteOptions())
        let updated = try await h.eventually("password updated", seconds: 60) { () -> String? in
            try await h.cluster.get(instance)["status"]?["mysql_on_update"]?["message"]?.string
        }
        #expect(updated == "password updated")

        _ = try await h.cluster.delete(instance)
        _ = try await h.eventually("deleted", seconds: 60) { () -> Bool? in
            do { _ = try await h.cluster.get(instance); return nil } catch let e as KubeError where e.code == 404 { return true }
        }
        #expect(!pods.jobRuns("backup").isEmpty)
        run.cancel()
        await simulator.stop()
    }

    @Test func withoutTheDeploymentsRuleTheResourceShowsForbidden() async throws {
        let h = try harness()
        try await install(h) { rule in rule["resources"]?.array == ["deployments"] && rule["apiGroups"]?.array == ["apps"] }
        let pods = ScriptedMySQL()
        let simulator = h.startWorkloads(pods.runner(cluster: h.cluster))
        try await h.apply(file: "handlers/mysql/samples/mysql.yaml")
        let run = Task { try await h.runner.run() }
        defer { run.cancel() }

        let message = try await h.eventually("a Forbidden failure in the status", seconds: 60) { () -> String? in
            let progress = try await h.cluster.get(instance)["status"]?["yopf"]?["progress"]?["mysql_on_create"]
            return progress?["message"]?.string.flatMap { $0.contains("forbidden") ? $0 : nil }
        }
        #expect(message.contains("system:serviceaccount:\(Self.namespace):\(Self.account)"))
        #expect(message.contains("deployments"))
        // Events are posted off the handling path: wait for the Warning.
        _ = try await h.eventually("a Warning Event about the Forbidden failure", seconds: 60) { () -> Bool? in
            let events = try await h.cluster.list(MySQLExampleTests.events, namespace: "default")
            let warnings = (events["items"]?.array ?? []).filter { $0["type"] == "Warning" && ($0["message"]?.string ?? "").contains("forbidden") }
            return warnings.isEmpty ? nil : true
        }
        run.cancel()
        await simulator.stop()
    }

    /// The kinds of `spec.owns` are watched: the rules allow list and watch on them.
    @Test func ownedKindsMayBeWatched() throws {
        let h = try harness()
        let manifests = DeploymentManifests(operators: [h.loaded], options: .init(image: "unused", namespace: Self.namespace))
        let role = try #require(manifests.documents.first { $0["kind"] == "ClusterRole" })
        let rules = role["rules"]?.array ?? []
        for (group, resource) in [("apps", "deployments"), ("", "services")] {
            let rule = rules.first { $0["apiGroups"]?.array == [.string(group)] && ($0["resources"]?.array ?? []).contains(.string(resource)) }
            let verbs = Set((rule?["verbs"]?.array ?? []).compactMap(\.string))
            #expect(verbs.isSuperset(of: ["list", "watch"]), "\(group)/\(resource): \(verbs)")
        }
    }
}

