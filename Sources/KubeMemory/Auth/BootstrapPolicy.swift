import Platform
import JSONValue
import Kube

/// The RBAC objects kube-apiserver creates at start that clients commonly name: the
/// `cluster-admin` ClusterRole (everything) and its binding to `system:masters`, labelled
/// and annotated as kube labels its defaults. The discovery, public-info and basic-user
/// roles are not stored: `PublicPolicy` grants what they grant.
enum BootstrapPolicy {
    static let clusterRoles = GroupVersionResource(group: RBACAuthorizer.rbacGroup, version: "v1", resource: "clusterroles")
    static let clusterRoleBindings = GroupVersionResource(group: RBACAuthorizer.rbacGroup, version: "v1", resource: "clusterrolebindings")

    static let metadata: JSON = [
        "name": "cluster-admin",
        "labels": ["kubernetes.io/bootstrapping": "rbac-defaults"],
        "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
    ]

    static let objects: [(GroupVersionResource, JSON)] = [
        (clusterRoles, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata,
            "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]], ["nonResourceURLs": ["*"], "verbs": ["*"]]],
        ]),
        (clusterRoleBindings, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata,
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"]],
        ]),
    ]
}

extension MemoryCluster {
    /// Stores the bootstrap RBAC objects that are missing (RBAC turned on).
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
