import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// RBAC escalation prevention: no one grants what they do not hold.
@Suite struct AuthEscalationTests {
    let bot = RequestContext.serviceAccount(namespace: "a", name: "bot")

    /// bot may write Roles and RoleBindings in a, and get configmaps there.
    func cluster(extra: [JSON] = []) async throws -> MemoryCluster {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("rbac-writer", namespace: "a", rules: [
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create", "update", "patch"]],
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]],
        ] + extra))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("rbac-writer", namespace: "a", roleKind: "Role", role: "rbac-writer", subjects: [RBAC.sa("bot", "a")]))
        return c
    }

    func create(_ c: MemoryCluster, _ gvr: GroupVersionResource, _ body: JSON) async -> KubeError? {
        await kubeError { _ = try await c.create(gvr, namespace: "a", body: body, options: WriteOptions(), context: bot) }
    }

    @Test func aRoleMayHoldOnlyWhatItsWriterHolds() async throws {
        let c = try await cluster()
        #expect(await create(c, RBAC.roles, RBAC.role("same", namespace: "a", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]])) == nil)
        let wider = await create(c, RBAC.roles, RBAC.role("wider", namespace: "a", rules: [
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "delete", "list"]],
            ["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["s"]],
        ]))
        #expect(wider?.code == 403)
        #expect(wider?.message == """
            roles.rbac.authorization.k8s.io "wider" is forbidden: user "system:serviceaccount:a:bot" (groups=["system:serviceaccounts" "system:serviceaccounts:a" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["configmaps"], Verbs:["delete" "list"]}
            {APIGroups:[""], Resources:["secrets"], ResourceNames:["s"], Verbs:["get"]}
            """)
    }

    @Test func escalateAllowsWiderRoles() async throws {
        let c = try await cluster(extra: [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]]])
        #expect(await create(c, RBAC.roles, RBAC.role("wider", namespace: "a", rules: [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]])) == nil)
    }

    @Test func aBindingNeedsTheRolesRulesOrBind() async throws {
        let c = try await cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("reader", namespace: "a", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]]))
        #expect(await create(c, RBAC.roleBindings, RBAC.binding("reader", namespace: "a", roleKind: "Role", role: "reader", subjects: [RBAC.sa("other", "a")])) == nil)
        let admin = await create(c, RBAC.roleBindings, RBAC.binding("admin", namespace: "a", roleKind: "ClusterRole", role: "cluster-admin", subjects: [RBAC.sa("bot", "a")]))
        #expect(admin?.message.hasPrefix(#"rolebindings.rbac.authorization.k8s.io "admin" is forbidden: user "system:serviceaccount:a:bot""#) == true)
        #expect(admin?.message.contains(#"{APIGroups:["*"], Resources:["*"], Verbs:["*"]}"#) == true)
        let missing = await create(c, RBAC.roleBindings, RBAC.binding("ghost", namespace: "a", roleKind: "Role", role: "ghost", subjects: [RBAC.sa("bot", "a")]))
        #expect(missing?.message == #"rolebindings.rbac.authorization.k8s.io "ghost" is forbidden: roles.rbac.authorization.k8s.io "ghost" not found"#)
    }

    @Test func bindOnTheRoleAllowsTheBinding() async throws {
        let c = try await cluster(extra: [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]]])
        #expect(await create(c, RBAC.roleBindings, RBAC.binding("admin", namespace: "a", roleKind: "ClusterRole", role: "cluster-admin", subjects: [RBAC.sa("other", "a")])) == nil)
    }

    @Test func aPatchIsCheckedOnTheObjectItWouldStore() async throws {
        let c = try await cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("reader", namespace: "a", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]]))
        let reader = ObjectRef(RBAC.roles, namespace: "a", name: "reader")
        let wider: JSON = ["rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "delete"]]]]
        let e = await kubeError { _ = try await c.patch(reader, subresource: nil, type: .merge, body: wider, options: WriteOptions(), context: bot) }
        #expect(e?.code == 403)
        #expect(try await c.get(reader)["rules"]?[0]?["verbs"] == ["get"])
        _ = try await c.patch(reader, subresource: nil, type: .merge, body: ["metadata": ["labels": ["x": "y"]]], options: WriteOptions(), context: bot)
        // The admin may grant anything.
        _ = try await c.patch(reader, subresource: nil, type: .merge, body: wider, options: WriteOptions(), context: .admin)
    }
}
