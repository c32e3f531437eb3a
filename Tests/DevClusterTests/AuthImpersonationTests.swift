import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// `kubectl --as` / `--as-group` on the dev-cluster with RBAC on.
@Suite struct AuthImpersonationTests {
    func request(_ uri: String, token: String? = nil, as user: String?, groups: [String] = []) -> APIRequest {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let user { headers["Impersonate-User"] = user }
        if !groups.isEmpty { headers["Impersonate-Group"] = groups.joined(separator: ", ") }
        return APIRequest(method: "GET", uri: uri, headers: headers)
    }

    func cluster() async throws -> MemoryCluster {
        let c = MemoryCluster(configuration: .init(authorization: .rbac))
        let rbac = "rbac.authorization.k8s.io"
        _ = try await c.create(GroupVersionResource(group: rbac, version: "v1", resource: "roles"), namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "read"],
            "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]]],
        ])
        _ = try await c.create(GroupVersionResource(group: rbac, version: "v1", resource: "rolebindings"), namespace: "default", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "read"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read"],
            "subjects": [["kind": "ServiceAccount", "name": "bot", "namespace": "default"], ["kind": "Group", "name": "readers"]],
        ])
        return c
    }

    @Test func theAdministratorMayActAsAServiceAccount() async throws {
        let router = Fixtures.router(try await cluster(), token: "admin")
        let cms = "/api/v1/namespaces/default/configmaps"
        #expect(await router.handle(request(cms, token: "admin", as: "system:serviceaccount:default:bot")).status == 200)
        let other = await router.handle(request(cms, token: "admin", as: "system:serviceaccount:default:other"))
        #expect(other.json["message"]?.string == #"configmaps is forbidden: User "system:serviceaccount:default:other" cannot list resource "configmaps" in API group "" in the namespace "default""#)
        #expect(await router.handle(request(cms, token: "admin", as: "jane")).status == 403)
        #expect(await router.handle(request(cms, token: "admin", as: "jane", groups: ["readers"])).status == 200)
        #expect(await router.handle(request(cms, token: "admin", as: nil, groups: ["readers"])).status == 400)
    }

    @Test func impersonatingNeedsTheImpersonateVerb() async throws {
        let c = try await cluster()
        let router = Fixtures.router(c, token: "admin")
        let cms = "/api/v1/namespaces/default/configmaps"
        let refused = await router.handle(request(cms, as: "system:serviceaccount:default:bot"))
        #expect(refused.json["message"]?.string == #"serviceaccounts "bot" is forbidden: User "system:anonymous" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default""#)
        #expect(await router.handle(request(cms, as: "jane")).json["message"]?.string
                == #"users "jane" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope"#)
        _ = try await c.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles"), namespace: nil, body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "impersonate-sa"],
            "rules": [["apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]]],
        ])
        _ = try await c.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings"), namespace: nil, body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": "impersonate-sa"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "impersonate-sa"],
            "subjects": [["kind": "User", "name": "system:anonymous"]],
        ])
        #expect(await router.handle(request(cms, as: "system:serviceaccount:default:bot")).status == 200)
        // Users and groups stay out of reach.
        #expect(await router.handle(request(cms, as: "jane")).status == 403)
        #expect(await router.handle(request(cms, as: "system:serviceaccount:default:bot", groups: ["system:masters"])).json["message"]?.string
                == #"groups "system:masters" is forbidden: User "system:anonymous" cannot impersonate resource "groups" in API group "" at the cluster scope"#)
    }
}
