/// Whether the in-memory API server checks who may do what.
///
/// Off (`alwaysAllow`) by default, as the dev-cluster always was: every caller may do
/// everything. `rbac` evaluates Roles, ClusterRoles and their bindings as kube-apiserver's
/// RBAC authorizer does (`yopf dev-cluster --authorization=rbac`).
public enum AuthorizationMode: String, Sendable, CaseIterable {
    case alwaysAllow = "AlwaysAllow"
    case rbac = "RBAC"
}
