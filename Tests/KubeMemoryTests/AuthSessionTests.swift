import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// The cluster as one token holder sees it, in process.
@Suite struct AuthSessionTests {
    @Test func aTokenSessionIsBoundByRBAC() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.serviceAccounts, namespace: "a", body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "tenant"]])
        let token = try #require(try c.requestToken(namespace: "a", serviceAccount: "tenant", request: ["spec": [:]])["status"]?["token"]?.string)
        let tenant = try c.session(token: token)
        #expect(tenant.context.user == "system:serviceaccount:a:tenant")
        let api: any KubeAPI = tenant
        let e = await kubeError { _ = try await api.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a")) }
        #expect(e?.message == #"configmaps is forbidden: User "system:serviceaccount:a:tenant" cannot create resource "configmaps" in API group "" in the namespace "a""#)
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("cm", namespace: "a", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]]]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("cm", namespace: "a", roleKind: "Role", role: "cm", subjects: [RBAC.sa("tenant", "a")]))
        _ = try await api.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"))
        #expect(await kubeError { _ = try await api.create(R.configmaps, namespace: "b", body: configMap("x", namespace: "b")) }?.code == 403)
    }

    @Test func execAndLogsNeedTheirSubresources() async throws {
        let c = try await RBAC.cluster()
        let tenant = c.session(as: .serviceAccount(namespace: "a", name: "tenant"))
        let exec = await kubeError { _ = try await tenant.exec(PodExecRequest(namespace: "a", pod: "db-0", command: ["true"])) }
        #expect(exec?.message == #"pods "db-0" is forbidden: User "system:serviceaccount:a:tenant" cannot create resource "pods/exec" in API group "" in the namespace "a""#)
        let logs = await kubeError { _ = try await tenant.logs(PodLogRequest(namespace: "a", pod: "db-0")) }
        #expect(logs?.message == #"pods "db-0" is forbidden: User "system:serviceaccount:a:tenant" cannot get resource "pods/log" in API group "" in the namespace "a""#)
    }

    @Test func aSessionWithAnUnknownTokenIsRefused() async throws {
        let c = try await RBAC.cluster()
        #expect(throws: KubeError.unauthorized()) { try c.session(token: "nope") }
    }
}
