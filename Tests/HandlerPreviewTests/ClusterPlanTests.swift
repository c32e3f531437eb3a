import DevCluster
import HandlerPreview
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Platform
import Testing
import YAMLLoader

/// `yopf plan --cluster` against the dev-cluster served on loopback (the path a real
/// cluster takes: libcurl, HTTP, the API server's dry run): reads run, writes are dry
/// runs shown as diffs, and the server receives no write that is not a dry run, and no
/// exec.
@Suite struct ClusterPlanTests {
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")

    /// A cluster with simulated workloads whose pods record any command run in them.
    struct Served {
        let cluster: MemoryCluster
        let backend: RecordingBackend
        let server: DevClusterServer
        let client: KubeClient
        let simulator: WorkloadSimulator
        let commands: Locked<[[String]]>

        init() async throws {
            cluster = MemoryCluster()
            let commands = Locked<[[String]]>([])
            self.commands = commands
            simulator = WorkloadSimulator(cluster: cluster, runner: ScriptedPodCommandRunner { command, _, _, _ in
                commands.update { $0.append(command.argv) }
                return 0
            }, configuration: .init(podStartDelay: .milliseconds(10)))
            simulator.start()
            cluster.attachPodCommands(simulator)
            backend = RecordingBackend(cluster)
            server = DevClusterServer(backend: backend, token: "plan-token")
            let port = try await server.start(host: "127.0.0.1", port: 0)
            var options = ClientOptions()
            options.rateLimit = .fixed(qps: 0, burst: 1)
            client = KubeClient(endpoint: ClusterEndpoint(server: "http://127.0.0.1:\(port)"), credentials: BearerToken("plan-token"), options: options)
        }

        func stop() async {
            try? await server.stop()
            await simulator.stop()
        }

        func create(_ object: JSON) async throws -> JSON {
            let gvk = GroupVersionKind(apiVersion: object["apiVersion"]?.string ?? "", kind: object["kind"]?.string ?? "")
            guard let info = cluster.resourceInfo(for: gvk) else { throw SupportError("no resource for \(gvk)") }
            return try await cluster.create(info.gvr, namespace: info.namespaced ? (object["metadata"]?["namespace"]?.string ?? "default") : nil,
                                            body: object, options: WriteOptions())
        }

        /// What the plan must leave as it is: the MySQL resource whole (nothing else
        /// writes it), the Deployment's spec and generation (the simulated controller
        /// updates its status on its own), and which pods exist.
        func state() async throws -> JSON {
            let mysql = try await cluster.get(ObjectRef(GroupVersionResource(group: "otus.homework", version: "v1", resource: "mysqls"), namespace: "default", name: "mysql-instance"))
            let deployment = try await cluster.get(ObjectRef(ClusterPlanTests.deployments, namespace: "default", name: "mysql-instance"))
            let pods = try await cluster.list(ClusterPlanTests.pods, namespace: "default")["items"]?.array ?? []
            return ["mysql": mysql, "deployment": [deployment["spec"] ?? .null, deployment["metadata"]?["generation"] ?? .null],
                    "pods": .array(pods.compactMap { $0["metadata"]?["name"] })]
        }

        /// Every object's resourceVersion, by kind and name.
        func versions(_ gvrs: [GroupVersionResource]) async throws -> [String: String] {
            var out: [String: String] = [:]
            for gvr in gvrs {
                for item in try await cluster.list(gvr, namespace: nil)["items"]?.array ?? [] {
                    out["\(gvr.resource)/\(item["metadata"]?["name"]?.string ?? "")"] = item["metadata"]?["resourceVersion"]?.string
                }
            }
            return out
        }

        func waitUntil(_ what: String, _ probe: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                if (try? await probe()) == true { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw SupportError("timed out waiting until \(what)")
        }
    }

    /// Whether a diff has a line starting with `sign` whose content (after indentation) is `text`.
    static func changed(_ diff: String, _ sign: String, _ text: String) -> Bool {
        diff.split(separator: "\n").contains { line in
            line.hasPrefix(sign) && line.dropFirst().drop(while: { $0 == " " }) == Substring(text)
        }
    }

    @Test func passwordRotationAgainstTheClusterIsDryRunOnly() async throws {
        let loaded = try PreviewSupport.load("handlers/mysql")
        let s = try await Served()
        let a = try PreviewSupport.object("examples/mysql/plan/a.yaml")
        let b = try PreviewSupport.object("examples/mysql/plan/b.yaml")
        do {
            _ = try await s.cluster.create(Self.crds, namespace: nil, body: try #require(loaded.spec.crdManifest()), options: WriteOptions())
            let live = try await s.create(a)
            // The server as the create handler left it, with the old password.
            _ = try await s.create(try PreviewSupport.yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: mysql-instance, namespace: default}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: mysql-instance}}
                  template:
                    metadata: {labels: {app: mysql-instance}}
                    spec:
                      containers:
                        - name: mysql
                          image: mysql:5.7
                          env: [{name: MYSQL_ROOT_PASSWORD, value: otuspassword}]
                """))
            try await s.waitUntil("a mysql pod is Ready") {
                let pods = try await s.cluster.list(Self.pods, namespace: "default", options: ListOptions(labelSelector: "app=mysql-instance"))
                return (pods["items"]?.array ?? []).contains { p in
                    (p["status"]?["conditions"]?.array ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                }
            }
            let before = try await s.state()

            let report = try await PreviewSupport.plan(loaded, object: b, old: a, event: .update, source: .cluster(s.client))
            #expect(report.problems == 0, "\(report.text)")
            #expect(report.notes.contains { $0.contains("exists in the cluster (uid \(live["metadata"]?["uid"]?.string ?? "?"))") }, "\(report.notes)")
            let update = try #require(report.plan.handler("mysql_on_update"))

            // The pod the command would run in is found, and nothing runs in it.
            let rotate = try #require(update.step("rotate"))
            #expect(rotate["cluster"]?["pod"]?.string?.hasPrefix("mysql-instance-") == true, "\(rotate)")
            #expect(rotate["cluster"]?["container"] == "mysql")
            #expect(rotate["exec"]?["command"]?[2] == "--password=otuspassword")

            // The Deployment's dry run shows the new password replacing the old one.
            let applied = try #require(update.step("1-apply")?["cluster"]?.array)
            #expect(applied.count == 4)
            #expect(applied[0]["dryRun"] == "would create it (the API server accepted it)")
            let diff = try #require(applied[3]["dryRun"]?.string, "\(applied[3])")
            #expect(applied[3]["object"] == "Deployment default/mysql-instance")
            #expect(Self.changed(diff, "-", "value: otuspassword"), "\(diff)")
            #expect(Self.changed(diff, "+", "value: n3w-s3cret"), "\(diff)")
            #expect(Self.changed(diff, "+", "ownerReferences:"), "\(diff)")

            let scaleDown = try #require(update.step("2-scale")?["cluster"]?["dryRun"]?.string)
            #expect(Self.changed(scaleDown, "-", "replicas: 1") && Self.changed(scaleDown, "+", "replicas: 0"), "\(scaleDown)")
            #expect(update.step("3-scale")?["cluster"]?["dryRun"] == "no change")

            // Nothing was written: every write that reached the server was a dry run, no
            // command ran in any pod, and no object changed.
            let writes = s.backend.writes
            #expect(writes.count >= 6, "\(writes)")
            #expect(writes.allSatisfy { $0.dryRun }, "\(writes.filter { !$0.dryRun })")
            #expect(s.commands.value.isEmpty)
            #expect(try await s.state() == before)
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }

    @Test func readsRunSoThatThePruneRendersWithRealItems() async throws {
        let loaded = try PreviewSupport.load("handlers/certificates")
        let s = try await Served()
        do {
            _ = try await s.cluster.create(Self.crds, namespace: nil, body: try #require(loaded.spec.crdManifest()), options: WriteOptions())
            for doc in try YAML.loadFile(atPath: PreviewSupport.root + "/handlers/certificates/crds/certificate.yaml") where !doc.value.isNull {
                _ = try await s.cluster.create(Self.crds, namespace: nil, body: doc.value, options: WriteOptions())
            }
            let tenant = try PreviewSupport.object("handlers/certificates/samples/tenant.yaml")
            let live = try await s.create(tenant)
            // A certificate for a domain the tenant no longer has, and one it keeps.
            for name in ["acme-old-example-org", "acme-example-com"] {
                _ = try await s.create(try PreviewSupport.yaml("""
                    apiVersion: cert-manager.io/v1
                    kind: Certificate
                    metadata:
                      name: \(name)
                      namespace: default
                      labels: {yopf.dev/tenant: acme}
                      ownerReferences: [{apiVersion: yopf.dev/v1, kind: Tenant, name: acme, uid: \(live["metadata"]?["uid"]?.string ?? ""), controller: true}]
                    spec: {secretName: \(name)-tls, dnsNames: [x.example.com], issuerRef: {name: letsencrypt, kind: ClusterIssuer}}
                    """))
            }
            let certificates = GroupVersionResource(group: "cert-manager.io", version: "v1", resource: "certificates")
            let before = try await s.versions([certificates])

            let report = try await PreviewSupport.plan(loaded, object: tenant, event: .create, source: .cluster(s.client))
            #expect(report.problems == 0, "\(report.text)")
            let handler = try #require(report.plan.handler("certificates"))
            #expect(handler.step("existing")?["read"] == "found 2 objects: acme-example-com, acme-old-example-org")
            // The prune is rendered from what the list found: one delete, dry-run.
            let prune = try #require(handler.step("pruned[0]"))
            #expect(prune["delete"]?["name"] == "acme-old-example-org")
            #expect(prune["cluster"]?["dryRun"] == "would delete it")
            #expect(handler.step("pruned[1]") == nil)
            // The certificate that exists is applied over; the others would be created.
            let certs = (0..<4).compactMap { handler.step("certificates[\($0)]") }
            let kept = try #require(certs.first { $0["item"]?["domain"] == "example.com" })
            #expect(Self.changed(kept["cluster"]?[0]?["dryRun"]?.string ?? "", "+", "- a.b.example.com"), "\(kept)")
            #expect(Self.changed(kept["cluster"]?[0]?["dryRun"]?.string ?? "", "-", "- x.example.com"), "\(kept)")
            #expect(certs.filter { $0["cluster"]?[0]?["dryRun"] == "would create it (the API server accepted it)" }.count == 3)
            #expect(handler["result"] == "<output of step certificates>")

            #expect(s.backend.writes.allSatisfy { $0.dryRun }, "\(s.backend.writes)")
            #expect(try await s.versions([certificates]) == before)
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
    }
}
