import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// Built-in kinds are validated, defaulted and guarded as kube-apiserver does it, with its
/// words (the messages below are what kube-apiserver v1.28 answers for the same requests).
@Suite struct BuiltinValidationTests {
    let cluster = MemoryCluster()
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    func deployment(_ name: String, selector: JSON?, labels: JSON = ["app": "x"], image: JSON? = "nginx", replicas: Int = 1) -> JSON {
        var container: JSON = ["name": "main"]
        if let image { container["image"] = image }
        var spec: JSON = ["replicas": .int(replicas), "template": ["metadata": ["labels": labels], "spec": ["containers": [container]]]]
        if let selector { spec["selector"] = selector }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)], "spec": spec]
    }

    func message(_ body: () async throws -> Void) async -> String {
        let e = await kubeError(body)
        #expect(e?.code == 422, "expected 422 Invalid, got \(String(describing: e))")
        return e?.status["message"]?.string ?? ""
    }

    @Test func workloadsNeedAMatchingSelectorAndImages() async throws {
        let text = await message { _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("d", selector: nil, image: nil)) }
        #expect(text == #"Deployment.apps "d" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`, spec.template.spec.containers[0].image: Required value]"#)
        let negative = await message {
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("n", selector: ["matchLabels": ["app": "x"]], replicas: -1))
        }
        #expect(negative.hasSuffix("spec.replicas: Invalid value: -1: must be greater than or equal to 0"))
        let created = try await cluster.create(R.deployments, namespace: "default", body: deployment("ok", selector: ["matchLabels": ["app": "x"]]))
        #expect(created["spec"]?["strategy"]?["rollingUpdate"]?["maxSurge"] == "25%")
        #expect(created["spec"]?["revisionHistoryLimit"] == 10 && created["spec"]?["progressDeadlineSeconds"] == 600)
        let immutable = await message {
            _ = try await cluster.patch(ObjectRef(R.deployments, namespace: "default", name: "ok"), subresource: nil, type: .merge,
                                        body: ["spec": ["selector": ["matchLabels": ["app": "y"]], "template": ["metadata": ["labels": ["app": "y"]]]]],
                                        options: WriteOptions())
        }
        #expect(immutable.hasSuffix(#"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#))
    }

    @Test func servicePortsAreCheckedAndAddressesAllocatedOnce() async throws {
        let bad: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "bad"], "spec": ["ports": [["port": 70000]]]]
        let text = await message { _ = try await cluster.create(Self.services, namespace: "default", body: bad) }
        #expect(text == #"Service "bad" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive]"#)
        let svc: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
                         "spec": ["type": "NodePort", "selector": ["app": "web"], "ports": [["port": 80]]]]
        let created = try await cluster.create(Self.services, namespace: "default", body: svc)
        let ip = try #require(created["spec"]?["clusterIP"]?.string)
        #expect(ip.hasPrefix("10.96.") && created["spec"]?["clusterIPs"] == [.string(ip)])
        #expect(created["spec"]?["ports"]?[0]?["targetPort"] == 80 && created["spec"]?["ports"]?[0]?["protocol"] == "TCP")
        let nodePort = try #require(created["spec"]?["ports"]?[0]?["nodePort"]?.int)
        #expect((30000...32767).contains(nodePort))
        // A PUT that leaves the addresses out keeps them.
        var replaced = created
        replaced.set(nil, at: ["spec", "clusterIP"])
        replaced.set(nil, at: ["spec", "clusterIPs"])
        replaced.set([["port": 80]], at: ["spec", "ports"])
        let kept = try await cluster.update(ObjectRef(Self.services, namespace: "default", name: "web"), subresource: nil, body: replaced, options: WriteOptions())
        #expect(kept["spec"]?["clusterIP"]?.string == ip && kept["spec"]?["ports"]?[0]?["nodePort"]?.int == nodePort)
        let moved = await message {
            _ = try await cluster.patch(ObjectRef(Self.services, namespace: "default", name: "web"), subresource: nil, type: .merge,
                                        body: ["spec": ["clusterIP": "10.96.9.9", "clusterIPs": ["10.96.9.9"]]], options: WriteOptions())
        }
        #expect(moved.hasSuffix(#"spec.clusterIPs[0]: Invalid value: []string{"10.96.9.9"}: may not change once set"#))
        let other = try await cluster.create(Self.services, namespace: "default", body: ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "other"], "spec": ["ports": [["port": 80]]]])
        #expect(other["spec"]?["clusterIP"]?.string != ip)
    }

    @Test func immutableConfigMapsAndSecrets() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "frozen"], "immutable": true, "data": ["a": "1"]])
        let ref = ObjectRef(R.configmaps, namespace: "default", name: "frozen")
        let data = await message { _ = try await cluster.patch(ref, subresource: nil, type: .merge, body: ["data": ["a": "2"]], options: WriteOptions()) }
        #expect(data == "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set")
        let flag = await message { _ = try await cluster.patch(ref, subresource: nil, type: .merge, body: ["immutable": false], options: WriteOptions()) }
        #expect(flag.hasSuffix("immutable: Forbidden: field is immutable when `immutable` is set"))
        // Labels may still change.
        _ = try await cluster.patch(ref, subresource: nil, type: .merge, body: ["metadata": ["labels": ["a": "b"]]], options: WriteOptions())

        let secret = try await cluster.create(R.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "immutable": true, "stringData": ["k": "v"]])
        #expect(secret["data"]?["k"] == "dg==" && secret["stringData"] == nil && secret["type"] == "Opaque")
        let changed = await message {
            _ = try await cluster.patch(ObjectRef(R.secrets, namespace: "default", name: "s"), subresource: nil, type: .merge, body: ["stringData": ["k": "w"]], options: WriteOptions())
        }
        #expect(changed.hasSuffix("data: Forbidden: field is immutable when `immutable` is set"))
    }

    @Test func jobsNeedARestartPolicyAndKeepTheirTemplate() async throws {
        var job: JSON = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"],
                         "spec": ["template": ["spec": ["containers": [["name": "main", "image": "busybox"]]]]]]
        let text = await message { _ = try await cluster.create(Self.jobs, namespace: "default", body: job) }
        #expect(text.hasSuffix(#"spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#))
        job.set("Never", at: ["spec", "template", "spec", "restartPolicy"])
        _ = try await cluster.create(Self.jobs, namespace: "default", body: job)
        let changed = await message {
            _ = try await cluster.patch(ObjectRef(Self.jobs, namespace: "default", name: "j"), subresource: nil, type: .json,
                                        body: [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "alpine"]], options: WriteOptions())
        }
        #expect(changed.contains("spec.template: Invalid value: ") && changed.hasSuffix(": field is immutable"))
    }

    @Test func crdScopeIsImmutable() async throws {
        _ = try await cluster.create(R.crds, namespace: nil, body: mysqlCRD)
        let text = await message {
            _ = try await cluster.patch(ObjectRef(R.crds, namespace: nil, name: mysqlCRD.objectName), subresource: nil, type: .merge,
                                        body: ["spec": ["scope": "Cluster"]], options: WriteOptions())
        }
        #expect(text.hasSuffix(#"spec.scope: Invalid value: "Cluster": field is immutable"#))
    }

    @Test func unknownSpecFieldsOfBuiltInKinds() async throws {
        var d = deployment("typo", selector: ["matchLabels": ["app": "x"]])
        d.set(1, at: ["spec", "replica"])
        let e = await kubeError { _ = try await cluster.create(R.deployments, namespace: "default", body: d, options: WriteOptions(fieldValidation: .strict)) }
        #expect(e?.code == 400)
        #expect(e?.status["message"]?.string == #"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica""#)
        let pruned = try await cluster.create(R.deployments, namespace: "default", body: d)
        #expect(pruned["spec"]?["replica"] == nil && pruned["spec"]?["replicas"] == 1)
    }

    @Test func defaultObjects() async throws {
        for name in ["cluster-admin", "admin", "edit", "view", "system:aggregate-to-view"] {
            _ = try await cluster.get(ObjectRef(BootstrapPolicy.clusterRoles, namespace: nil, name: name))
        }
        _ = try await cluster.create(R.namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "fresh"]])
        let sa = try await cluster.get(ObjectRef(GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts"), namespace: "fresh", name: "default"))
        #expect(sa["metadata"]?["uid"]?.string?.isEmpty == false)
        // view aggregates kube's aggregate-to-view role, and any ClusterRole labelled likewise.
        let rbac = RBACAuthorizer(clusterRoles: BootstrapPolicy.objects.filter { $0.0 == BootstrapPolicy.clusterRoles }.map(\.1))
        let view = try #require(rbac.clusterRole(named: "view"))
        #expect(view["rules"]?.array?.contains { $0["resources"]?.array?.contains("configmaps") == true } == true)
        #expect(view["rules"]?.array?.contains { $0["resources"]?.array?.contains("secrets") == true } == false)
    }
}
