import JSONValue
import Kube
import Testing
@testable import KubeMemory

enum RBAC {
    static let group = "rbac.authorization.k8s.io"
    static let roles = GroupVersionResource(group: group, version: "v1", resource: "roles")
    static let clusterRoles = GroupVersionResource(group: group, version: "v1", resource: "clusterroles")
    static let roleBindings = GroupVersionResource(group: group, version: "v1", resource: "rolebindings")
    static let clusterRoleBindings = GroupVersionResource(group: group, version: "v1", resource: "clusterrolebindings")
    static let serviceAccounts = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")

    static func role(_ name: String, namespace: String? = nil, rules: [JSON]) -> JSON {
        var o: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": namespace == nil ? "ClusterRole" : "Role",
                       "metadata": ["name": .string(name)], "rules": .array(rules)]
        if let namespace { o.set(.string(namespace), at: ["metadata", "namespace"]) }
        return o
    }

    static func binding(_ name: String, namespace: String? = nil, roleKind: String, role: String, subjects: [JSON]) -> JSON {
        var o: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": namespace == nil ? "ClusterRoleBinding" : "RoleBinding",
                       "metadata": ["name": .string(name)],
                       "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(role)],
                       "subjects": .array(subjects)]
        if let namespace { o.set(.string(namespace), at: ["metadata", "namespace"]) }
        return o
    }

    static func sa(_ name: String, _ namespace: String) -> JSON { ["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)] }
    static func user(_ name: String) -> JSON { ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string(name)] }
    static func groupSubject(_ name: String) -> JSON { ["kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": .string(name)] }

    /// A cluster with RBAC on and namespaces a and b.
    static func cluster() async throws -> MemoryCluster {
        let c = MemoryCluster(configuration: .init(authorization: .rbac))
        for ns in ["a", "b"] {
            _ = try await c.create(R.namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        return c
    }
}

/// Bindings, subjects and namespaces, through the cluster's own calls.
@Suite struct AuthRBACTests {
    let bot = RequestContext.serviceAccount(namespace: "a", name: "bot")

    @Test func withoutRBACEveryCallerMayDoEverything() async throws {
        let c = MemoryCluster()
        let created = try await c.create(R.configmaps, namespace: "default", body: configMap("x"), options: WriteOptions(), context: bot)
        #expect(created["metadata"]?["name"]?.string == "x")
    }

    @Test func aServiceAccountIsForbiddenUntilARoleBindingAllows() async throws {
        let c = try await RBAC.cluster()
        let e = await kubeError { _ = try await c.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"), options: WriteOptions(), context: bot) }
        #expect(e?.code == 403)
        #expect(e?.reason == "Forbidden")
        #expect(e?.message == #"configmaps is forbidden: User "system:serviceaccount:a:bot" cannot create resource "configmaps" in API group "" in the namespace "a""#)
        #expect(e?.status["details"] == ["kind": "configmaps"])

        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("cm", namespace: "a", rules: [
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "get"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("cm", namespace: "a", roleKind: "Role", role: "cm", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"), options: WriteOptions(), context: bot)
        _ = try await c.get(ref(R.configmaps, "x", "a"), subresource: nil, context: bot)
        // Still only what the rule says: no list, no delete.
        let list = await kubeError { _ = try await c.list(R.configmaps, namespace: "a", options: ListOptions(), context: bot) }
        #expect(list?.message == #"configmaps is forbidden: User "system:serviceaccount:a:bot" cannot list resource "configmaps" in API group "" in the namespace "a""#)
        let delete = await kubeError { _ = try await c.delete(ref(R.configmaps, "x", "a"), options: DeleteOptions(), context: bot) }
        #expect(delete?.code == 403)
    }

    @Test func aRoleBindingToAClusterRoleGrantsOnlyInItsNamespace() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: RBAC.role("cm-reader", rules: [
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["list", "watch"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("read", namespace: "a", roleKind: "ClusterRole", role: "cm-reader", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.list(R.configmaps, namespace: "a", options: ListOptions(), context: bot)
        _ = try await c.watch(R.configmaps, namespace: "a", options: WatchOptions(), context: bot)
        let other = await kubeError { _ = try await c.list(R.configmaps, namespace: "b", options: ListOptions(), context: bot) }
        #expect(other?.message == #"configmaps is forbidden: User "system:serviceaccount:a:bot" cannot list resource "configmaps" in API group "" in the namespace "b""#)
        let everywhere = await kubeError { _ = try await c.list(R.configmaps, namespace: nil, options: ListOptions(), context: bot) }
        #expect(everywhere?.message == #"configmaps is forbidden: User "system:serviceaccount:a:bot" cannot list resource "configmaps" in API group "" at the cluster scope"#)
    }

    @Test func aClusterRoleBindingGrantsEverywhereAndAtTheClusterScope() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: RBAC.role("ns-reader", rules: [
            ["apiGroups": [""], "resources": ["namespaces", "configmaps"], "verbs": ["get", "list"]],
        ]))
        _ = try await c.create(RBAC.clusterRoleBindings, namespace: nil, body: RBAC.binding("read", roleKind: "ClusterRole", role: "ns-reader", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.list(R.namespaces, namespace: nil, options: ListOptions(), context: bot)
        _ = try await c.list(R.configmaps, namespace: "b", options: ListOptions(), context: bot)
        _ = try await c.list(R.configmaps, namespace: nil, options: ListOptions(), context: bot)
        let write = await kubeError { _ = try await c.delete(ref(R.namespaces, "b", nil), options: DeleteOptions(), context: bot) }
        #expect(write?.message == #"namespaces "b" is forbidden: User "system:serviceaccount:a:bot" cannot delete resource "namespaces" in API group "" in the namespace "b""#)
    }

    @Test func aServiceAccountSubjectIsOnlyThatAccount() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("all", namespace: "a", rules: [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]]))
        // A ServiceAccount subject without a namespace means the binding's namespace.
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("all", namespace: "a", roleKind: "Role", role: "all",
                                                                                    subjects: [["kind": "ServiceAccount", "name": "bot"]]))
        _ = try await c.list(R.secrets, namespace: "a", options: ListOptions(), context: bot)
        let sameNameOtherNamespace = RequestContext.serviceAccount(namespace: "b", name: "bot")
        #expect(await kubeError { _ = try await c.list(R.secrets, namespace: "a", options: ListOptions(), context: sameNameOtherNamespace) }?.code == 403)
        let otherAccount = RequestContext.serviceAccount(namespace: "a", name: "other")
        #expect(await kubeError { _ = try await c.list(R.secrets, namespace: "a", options: ListOptions(), context: otherAccount) }?.code == 403)
    }

    @Test func groupAndUserSubjects() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("read", namespace: "a", rules: [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("by-group", namespace: "a", roleKind: "Role", role: "read",
                                                                                    subjects: [RBAC.groupSubject("system:serviceaccounts:a")]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("by-user", namespace: "a", roleKind: "Role", role: "read",
                                                                                    subjects: [RBAC.user("jane")]))
        _ = try await c.list(R.pods, namespace: "a", options: ListOptions(), context: RequestContext.serviceAccount(namespace: "a", name: "anyone"))
        _ = try await c.list(R.pods, namespace: "a", options: ListOptions(), context: RequestContext(user: "jane", groups: ["system:authenticated"]))
        #expect(await kubeError { _ = try await c.list(R.pods, namespace: "a", options: ListOptions(), context: RequestContext(user: "joe", groups: ["system:authenticated"])) }?.code == 403)
        #expect(await kubeError { _ = try await c.list(R.pods, namespace: "a", options: ListOptions(), context: RequestContext.serviceAccount(namespace: "b", name: "x")) }?.code == 403)
    }

    @Test func subresourcesNeedTheirOwnRules() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(R.deployments, namespace: "a", body: deployment("web"))
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("scale", namespace: "a", rules: [
            ["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]],
            ["apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "patch"], "resourceNames": ["web"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("scale", namespace: "a", roleKind: "Role", role: "scale", subjects: [RBAC.sa("bot", "a")]))
        let web = ref(R.deployments, "web", "a")
        _ = try await c.get(web, subresource: "scale", context: bot)
        _ = try await c.patch(web, subresource: "scale", type: .merge, body: ["spec": ["replicas": 2]], options: WriteOptions(), context: bot)
        let status = await kubeError { _ = try await c.patch(web, subresource: "status", type: .merge, body: ["status": [:]], options: WriteOptions(), context: bot) }
        #expect(status?.message == #"deployments.apps "web" is forbidden: User "system:serviceaccount:a:bot" cannot patch resource "deployments/status" in API group "apps" in the namespace "a""#)
        #expect(status?.status["details"] == ["kind": "deployments", "group": "apps", "name": "web"])
        let whole = await kubeError { _ = try await c.patch(web, subresource: nil, type: .merge, body: ["spec": ["paused": true]], options: WriteOptions(), context: bot) }
        #expect(whole?.code == 403)
    }

    /// As in kube, a create names no object, so resourceNames rules cannot allow it.
    @Test func createIsNotAllowedByResourceNames() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("one", namespace: "a", rules: [
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "get"], "resourceNames": ["x"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("one", namespace: "a", roleKind: "Role", role: "one", subjects: [RBAC.sa("bot", "a")]))
        #expect(await kubeError { _ = try await c.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"), options: WriteOptions(), context: bot) }?.code == 403)
        _ = try await c.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"))
        _ = try await c.get(ref(R.configmaps, "x", "a"), subresource: nil, context: bot)
    }

    @Test func mastersAndInProcessCallersAreNotChecked() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(R.configmaps, namespace: "a", body: configMap("x", namespace: "a"), options: WriteOptions(), context: .admin)
        _ = try await c.create(R.configmaps, namespace: "a", body: configMap("y", namespace: "a"))
        let anon = await kubeError { _ = try await c.get(ref(R.configmaps, "x", "a"), subresource: nil, context: .unauthenticated) }
        #expect(anon?.message == #"configmaps "x" is forbidden: User "system:anonymous" cannot get resource "configmaps" in API group "" in the namespace "a""#)
    }

    @Test func aBindingToAMissingRoleOrOfTheWrongKindGrantsNothing() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("dangling", namespace: "a", roleKind: "Role", role: "nope", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.create(RBAC.roles, namespace: "b", body: RBAC.role("all", namespace: "b", rules: [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]]))
        // A RoleBinding names a Role of its own namespace only.
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("elsewhere", namespace: "a", roleKind: "Role", role: "all", subjects: [RBAC.sa("bot", "a")]))
        #expect(await kubeError { _ = try await c.list(R.configmaps, namespace: "a", options: ListOptions(), context: bot) }?.code == 403)
    }

    @Test func nonResourceURLsComeOnlyFromClusterRoleBindings() async throws {
        let c = try await RBAC.cluster()
        let metrics = RequestAttributes(nonResourcePath: "/metrics", verb: "get")
        #expect(!c.authorize(metrics, as: bot).allowed)
        #expect(c.authorize(RequestAttributes(nonResourcePath: "/version", verb: "get"), as: .unauthenticated).allowed)
        #expect(c.authorize(RequestAttributes(nonResourcePath: "/apis/apps/v1", verb: "get"), as: bot).allowed)
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: RBAC.role("metrics", rules: [["nonResourceURLs": ["/metrics"], "verbs": ["get"]]]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("m", namespace: "a", roleKind: "ClusterRole", role: "metrics", subjects: [RBAC.sa("bot", "a")]))
        #expect(!c.authorize(metrics, as: bot).allowed)
        _ = try await c.create(RBAC.clusterRoleBindings, namespace: nil, body: RBAC.binding("m", roleKind: "ClusterRole", role: "metrics", subjects: [RBAC.sa("bot", "a")]))
        let decision = c.authorize(metrics, as: bot)
        #expect(decision.allowed)
        #expect(decision.reason == #"RBAC: allowed by ClusterRoleBinding "m" of ClusterRole "metrics" to ServiceAccount "bot/a""#)
        #expect(metrics.forbidden(for: .unauthenticated).message == #"forbidden: User "system:anonymous" cannot get path "/metrics""#)
    }

    @Test func anAggregatedClusterRoleGrantsWhatItsSelectorsMatch() async throws {
        let c = try await RBAC.cluster()
        var aggregate = RBAC.role("monitoring", rules: [])
        aggregate["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["example.com/aggregate-to-monitoring": "true"]]]]
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: aggregate)
        var pods = RBAC.role("pods-reader", rules: [["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]]])
        pods.set(["example.com/aggregate-to-monitoring": "true"], at: ["metadata", "labels"])
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: pods)
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: RBAC.role("secrets-reader", rules: [["apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]]]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("mon", namespace: "a", roleKind: "ClusterRole", role: "monitoring", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.list(R.pods, namespace: "a", options: ListOptions(), context: bot)
        #expect(await kubeError { _ = try await c.list(R.secrets, namespace: "a", options: ListOptions(), context: bot) }?.code == 403)
    }

    @Test func clusterAdminIsThereToBindTo() async throws {
        let c = try await RBAC.cluster()
        let role = try await c.get(ObjectRef(RBAC.clusterRoles, namespace: nil, name: "cluster-admin"))
        #expect(role["metadata"]?["labels"]?["kubernetes.io/bootstrapping"] == "rbac-defaults")
        let binding = try await c.get(ObjectRef(RBAC.clusterRoleBindings, namespace: nil, name: "cluster-admin"))
        #expect(binding["subjects"]?[0]?["name"] == "system:masters")
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("admin", namespace: "a", roleKind: "ClusterRole", role: "cluster-admin", subjects: [RBAC.sa("bot", "a")]))
        // Authorized, so the answer is the store's: not found rather than Forbidden.
        #expect(await kubeError { _ = try await c.delete(ref(R.secrets, "whatever", "a"), options: DeleteOptions(), context: bot) }?.code == 404)
        #expect(await kubeError { _ = try await c.delete(ref(R.secrets, "whatever", "b"), options: DeleteOptions(), context: bot) }?.code == 403)
    }

    @Test func turningRBACOnAndOffAtRunTime() async throws {
        let c = MemoryCluster()
        #expect(c.authorizationMode == .alwaysAllow)
        // The default ClusterRoles are stored whatever the mode, as kube stores them.
        _ = try await c.get(ObjectRef(RBAC.clusterRoles, namespace: nil, name: "cluster-admin"))
        _ = try await c.delete(ObjectRef(RBAC.clusterRoles, namespace: nil, name: "cluster-admin"), options: DeleteOptions())
        #expect(await kubeError { _ = try await c.get(ObjectRef(RBAC.clusterRoles, namespace: nil, name: "cluster-admin")) }?.code == 404)
        // Turning RBAC on stores the missing ones again.
        c.authorizationMode = .rbac
        _ = try await c.get(ObjectRef(RBAC.clusterRoles, namespace: nil, name: "cluster-admin"))
        #expect(await kubeError { _ = try await c.list(R.pods, namespace: "default", options: ListOptions(), context: bot) }?.code == 403)
        c.authorizationMode = .alwaysAllow
        _ = try await c.list(R.pods, namespace: "default", options: ListOptions(), context: bot)
    }
}
