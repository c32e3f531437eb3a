import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// `serviceAccount:` — a handler acts with the rights of a ServiceAccount of the
/// resource's own namespace, so RBAC bounds what a resource can make the operator do.
@Suite struct TenantCredentialsTests {
    static let handlers = """
            - id: make
              on: create
              serviceAccount: .spec.serviceAccount
              backoff: {initial: 200ms, max: 1s, factor: 2}
              steps:
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}-cm'}
                    data: {a: b}
        """
    static let serviceAccounts = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")
    static let roles = GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles")
    static let roleBindings = GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings")

    func harness() async throws -> RuntimeHarness {
        let h = try await RuntimeHarness(handlers: Self.handlers, configuration: .init(authorization: .rbac))
        _ = try await h.cluster.create(Self.serviceAccounts, namespace: "default", body: [
            "apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "bot", "namespace": "default"],
        ])
        return h
    }

    func creates(_ h: RuntimeHarness) -> Int {
        h.cluster.requestCount { $0.resource == "configmaps" && ($0.verb == "create" || $0.verb == "patch") }
    }

    @Test func aServiceAccountOfAnotherNamespaceIsRefusedBeforeAnyAPICall() async throws {
        let h = try await harness()
        let run = h.start()
        defer { Task { await run.stop() } }
        _ = try await h.create("w1", spec: ["serviceAccount": "kube-system:bot"])
        try await h.waitUntil("the refusal is recorded") {
            h.progress(try await h.get("w1"), "make")?["message"]?.string?.contains("must be in the resource's own namespace") == true
        }
        let record = h.progress(try await h.get("w1"), "make")
        #expect(record?["failure"] == true)
        #expect(creates(h) == 0)
        #expect(try await h.configMap("w1-cm") == nil)
        await run.stop()
    }

    @Test func aServiceAccountWithoutRightsGetsForbiddenThenSucceedsOnceGranted() async throws {
        let h = try await harness()
        let run = h.start()
        defer { Task { await run.stop() } }
        _ = try await h.create("w2", spec: ["serviceAccount": "bot"])
        try await h.waitUntil("the Forbidden failure is recorded") {
            h.progress(try await h.get("w2"), "make")?["message"]?.string?.contains("forbidden") == true
        }
        let message = h.progress(try await h.get("w2"), "make")?["message"]?.string ?? ""
        #expect(message.contains("system:serviceaccount:default:bot"))
        #expect(try await h.configMap("w2-cm") == nil)
        // Events are posted off the handling path: wait for the Warning.
        try await h.waitUntil("a Warning Event") {
            try await h.events(about: "w2").contains { $0["type"] == "Warning" }
        }

        // Grant the ServiceAccount what the step needs: the retry succeeds.
        _ = try await h.cluster.create(Self.roles, namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "cm", "namespace": "default"],
            "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "create", "patch"]]],
        ])
        _ = try await h.cluster.create(Self.roleBindings, namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "bot-cm", "namespace": "default"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm"],
            "subjects": [["kind": "ServiceAccount", "name": "bot", "namespace": "default"]],
        ])
        try await h.waitUntil("the handler succeeds with the granted rights", limit: .seconds(60)) { try await h.isReady("w2") }
        #expect(try await h.configMap("w2-cm") != nil)
        await run.stop()
    }

    @Test func noServiceAccountMeansTheOperatorsOwnRights() async throws {
        let h = try await harness()
        let run = h.start()
        defer { Task { await run.stop() } }
        _ = try await h.create("w3", spec: [:])
        try await h.waitUntil("Ready") { try await h.isReady("w3") }
        #expect(try await h.configMap("w3-cm") != nil)
        await run.stop()
    }
}
