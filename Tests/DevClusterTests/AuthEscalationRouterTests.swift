import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// Escalation prevention over HTTP: creates, replaces and patches of RBAC objects.
@Suite struct AuthEscalationRouterTests {
    @Test func aServiceAccountCannotGrantWhatItLacks() async throws {
        let cluster = MemoryCluster(configuration: .init(authorization: .rbac))
        let rbac = "rbac.authorization.k8s.io"
        _ = try await cluster.create(GroupVersionResource(group: rbac, version: "v1", resource: "roles"), namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "writer"],
            "rules": [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["create", "patch"]], ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]],
        ])
        _ = try await cluster.create(GroupVersionResource(group: rbac, version: "v1", resource: "rolebindings"), namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "writer"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "writer"], "subjects": [["kind": "User", "name": "system:anonymous"]],
        ])
        let router = Fixtures.router(cluster, token: "admin")
        let roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles"
        func role(_ name: String, _ verbs: [String]) -> JSON {
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": .string(name)],
             "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": .array(verbs.map { .string($0) })]]]
        }
        #expect(await router.handle(Fixtures.request("POST", roles, contentType: "application/json", body: role("ok", ["get"]))).status == 201)
        let wider = await router.handle(Fixtures.request("POST", roles, contentType: "application/json", body: role("wider", ["get", "delete"])))
        #expect(wider.status == 403)
        #expect(wider.json["message"]?.string?.hasSuffix("is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"delete\"]}") == true)
        let patch = await router.handle(Fixtures.request("PATCH", roles + "/ok", contentType: "application/merge-patch+json",
                                                         body: ["rules": [["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]]]))
        #expect(patch.status == 403)
        let stored = await router.handle(APIRequest(method: "GET", uri: roles + "/ok", headers: ["Authorization": "Bearer admin"]))
        #expect(stored.json["rules"]?[0]?["resources"] == ["configmaps"])
    }
}
