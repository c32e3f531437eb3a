import Platform
import JSONValue
import Kube

/// The RBAC objects kube-apiserver creates at start that clients commonly name, labelled
/// and annotated as kube labels its defaults: the user-facing ClusterRoles `cluster-admin`,
/// `admin`, `edit` and `view` (with kube's rules as aggregated from its
/// `system:aggregate-to-*` roles), `system:basic-user`, `system:discovery` and
/// `system:public-info-viewer`, and their default bindings. Stored whatever the
/// authorization mode, as kube stores them. `PublicPolicy` grants what the three system
/// roles grant even when their objects are deleted.
///
/// `view`, `edit` and `admin` aggregate kube's `system:aggregate-to-*` roles, stored too, so
/// a ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-view: "true"` extends
/// `view` as in kube (RBACAuthorizer computes aggregation when it checks; the stored
/// `rules` of view/edit/admin are not rewritten). Not stored: the controllers' and
/// nodes' `system:` roles.
enum BootstrapPolicy {
    static let clusterRoles = GroupVersionResource(group: RBACAuthorizer.rbacGroup, version: "v1", resource: "clusterroles")
    static let clusterRoleBindings = GroupVersionResource(group: RBACAuthorizer.rbacGroup, version: "v1", resource: "clusterrolebindings")

    static func metadata(_ name: String, labels: JSON = [:]) -> JSON {
        var l = labels
        l["kubernetes.io/bootstrapping"] = "rbac-defaults"
        return ["name": .string(name), "labels": l, "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"]]
    }

    static func rule(_ groups: [String], _ resources: [String], _ verbs: [String]) -> JSON {
        ["apiGroups": .array(groups.map { .string($0) }), "resources": .array(resources.map { .string($0) }), "verbs": .array(verbs.map { .string($0) })]
    }

    static func nonResource(_ urls: [String], _ verbs: [String]) -> JSON {
        ["nonResourceURLs": .array(urls.map { .string($0) }), "verbs": .array(verbs.map { .string($0) })]
    }

    static let read = ["get", "list", "watch"]
    static let write = ["create", "delete", "deletecollection", "patch", "update"]

    /// What `view` grants: read access to most namespaced objects, not Secrets nor RBAC.
    static let viewRules: [JSON] = [
        rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                    "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], read),
        rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status",
                    "resourcequotas", "resourcequotas/status"], read),
        rule([""], ["namespaces"], read),
        rule(["discovery.k8s.io"], ["endpointslices"], read),
        rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                        "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], read),
        rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], read),
        rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], read),
        rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], read),
        rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], read),
    ]

    /// What `edit` adds: writes to workloads, Secrets, pods' exec/attach, impersonating
    /// ServiceAccounts; not Roles, bindings or quotas.
    static let editOnlyRules: [JSON] = [
        rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], read),
        rule([""], ["serviceaccounts"], ["impersonate"]),
        rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], write),
        rule([""], ["pods/eviction"], ["create"]),
        rule([""], ["configmaps", "endpoints", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                    "secrets", "serviceaccounts", "services", "services/proxy"], write),
        rule([""], ["serviceaccounts/token"], ["create"]),
        rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                        "statefulsets", "statefulsets/scale"], write),
        rule(["autoscaling"], ["horizontalpodautoscalers"], write),
        rule(["batch"], ["cronjobs", "jobs"], write),
        rule(["policy"], ["poddisruptionbudgets"], write),
        rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], write),
        rule(["coordination.k8s.io"], ["leases"], write + read),
    ]

    /// What `admin` adds: Roles and RoleBindings in the namespace, local access reviews.
    static let adminOnlyRules: [JSON] = [
        rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], write + read),
    ]

    /// kube's `system:aggregate-to-*` roles: `view`, `edit` and `admin` aggregate them (and
    /// any ClusterRole labelled the same way), so view's rules are in edit and admin too.
    static func aggregateRole(_ level: String, _ rules: [JSON], into levels: [String]) -> (GroupVersionResource, JSON) {
        var labels = JSONObject()
        for l in levels { labels["rbac.authorization.k8s.io/aggregate-to-\(l)"] = "true" }
        return (clusterRoles, ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                               "metadata": metadata("system:aggregate-to-\(level)", labels: .object(labels)), "rules": .array(rules)])
    }

    static func clusterRole(_ name: String, _ rules: [JSON], aggregateTo: String? = nil) -> (GroupVersionResource, JSON) {
        var o: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(name), "rules": .array(rules)]
        if let aggregateTo {
            var labels = JSONObject()
            labels["rbac.authorization.k8s.io/aggregate-to-\(aggregateTo)"] = "true"
            o["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object(labels)]]]
        }
        return (clusterRoles, o)
    }

    static func binding(_ name: String, role: String, groups: [String]) -> (GroupVersionResource, JSON) {
        (clusterRoleBindings, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(name),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ])
    }

    static let objects: [(GroupVersionResource, JSON)] = [
        clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), nonResource(["*"], ["*"])]),
        // The aggregated roles' stored rules are what kube's aggregation controller writes;
        // RBACAuthorizer recomputes them from the aggregate-to roles on every check.
        clusterRole("admin", adminOnlyRules + editOnlyRules + viewRules, aggregateTo: "admin"),
        clusterRole("edit", editOnlyRules + viewRules, aggregateTo: "edit"),
        clusterRole("view", viewRules, aggregateTo: "view"),
        aggregateRole("admin", adminOnlyRules, into: ["admin"]),
        aggregateRole("edit", editOnlyRules, into: ["admin", "edit"]),
        aggregateRole("view", viewRules, into: ["admin", "edit", "view"]),
        clusterRole("system:basic-user", [
            rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
        ]),
        clusterRole("system:discovery", [nonResource(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])]),
        clusterRole("system:public-info-viewer", [nonResource(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
        binding("cluster-admin", role: "cluster-admin", groups: ["system:masters"]),
        binding("system:basic-user", role: "system:basic-user", groups: ["system:authenticated"]),
        binding("system:discovery", role: "system:discovery", groups: ["system:authenticated"]),
        binding("system:public-info-viewer", role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"]),
    ]
}

extension MemoryCluster {
    /// Stores the bootstrap RBAC objects that are missing (at start, and again when RBAC is turned on).
    func seedBootstrapPolicy() {
        state.withLock { s in
            for (gvr, object) in BootstrapPolicy.objects {
                let a = s.address(gvr, namespace: nil, name: object.objectName)
                guard s.object(at: a) == nil else { continue }
                var o = object
                o.setMetadata("uid", .string(Identifiers.uuid()))
                o.setMetadata("creationTimestamp", .string(Timestamp.now()))
                s.put(o, at: a, event: .added, previous: nil)
            }
        }
    }
}
