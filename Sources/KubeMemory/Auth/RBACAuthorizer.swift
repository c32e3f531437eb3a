import JSONValue

/// Whether a request is allowed, and why: what `SubjectAccessReview.status` reports.
public struct AuthorizationDecision: Sendable, Equatable {
    public var allowed: Bool
    public var reason: String

    public init(allowed: Bool, reason: String = "") {
        self.allowed = allowed
        self.reason = reason
    }
}

/// kube-apiserver's RBAC authorizer over a snapshot of the four RBAC kinds.
///
/// A ClusterRoleBinding grants its ClusterRole's rules everywhere (namespaced resources in
/// every namespace, cluster-scoped resources, non-resource URLs). A RoleBinding grants the
/// rules of its Role — or of a ClusterRole it names — only for requests in its own
/// namespace, and never non-resource URLs. Subjects are Users (by name), Groups (by
/// membership) and ServiceAccounts (`system:serviceaccount:NS:NAME`; a subject without a
/// namespace means the binding's). Members of `system:masters` may do everything. A
/// binding naming a role that does not exist grants nothing. An aggregated ClusterRole
/// (`aggregationRule`) grants the rules of the ClusterRoles its selectors match.
public struct RBACAuthorizer: Sendable {
    public var roles: [JSON]
    public var clusterRoles: [JSON]
    public var roleBindings: [JSON]
    public var clusterRoleBindings: [JSON]

    public init(roles: [JSON] = [], clusterRoles: [JSON] = [], roleBindings: [JSON] = [], clusterRoleBindings: [JSON] = []) {
        self.roles = roles
        self.clusterRoles = clusterRoles
        self.roleBindings = roleBindings
        self.clusterRoleBindings = clusterRoleBindings
    }

    static let rbacGroup = "rbac.authorization.k8s.io"

    public func authorize(_ a: RequestAttributes, as user: RequestContext) -> AuthorizationDecision {
        if user.isSuperuser {
            return AuthorizationDecision(allowed: true, reason: "the user is a member of system:masters")
        }
        for binding in clusterRoleBindings {
            guard let subject = matchingSubject(binding, user: user, bindingNamespace: ""),
                  roleRefKind(binding) == "ClusterRole", let roleName = binding["roleRef"]?["name"]?.string,
                  let role = clusterRole(named: roleName), grants(role, a) else { continue }
            return allowed(by: "ClusterRoleBinding", binding, roleKind: "ClusterRole", roleName, subject)
        }
        guard a.isResourceRequest, !a.namespace.isEmpty else { return AuthorizationDecision(allowed: false) }
        for binding in roleBindings where binding["metadata"]?["namespace"]?.string == a.namespace {
            guard let subject = matchingSubject(binding, user: user, bindingNamespace: a.namespace),
                  let roleName = binding["roleRef"]?["name"]?.string else { continue }
            let kind = roleRefKind(binding)
            let role: JSON?
            switch kind {
            case "Role": role = find(roles, namespace: a.namespace, name: roleName)
            case "ClusterRole": role = clusterRole(named: roleName)
            default: role = nil
            }
            guard let role, grants(role, a) else { continue }
            return allowed(by: "RoleBinding", binding, roleKind: kind, roleName, subject)
        }
        return AuthorizationDecision(allowed: false)
    }

    /// Every rule that applies to `user` in `namespace` ("" for the cluster scope only):
    /// what `kubectl auth can-i --list` shows.
    public func rules(for user: RequestContext, namespace: String) -> [PolicyRule] {
        if user.isSuperuser {
            return [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
        }
        var out: [PolicyRule] = []
        func add(_ role: JSON?) {
            for r in role?["rules"]?.array ?? [] { out.append(PolicyRule(json: r)) }
        }
        for binding in clusterRoleBindings where roleRefKind(binding) == "ClusterRole" {
            guard matchingSubject(binding, user: user, bindingNamespace: "") != nil, let name = binding["roleRef"]?["name"]?.string else { continue }
            add(clusterRole(named: name))
        }
        guard !namespace.isEmpty else { return out }
        for binding in roleBindings where binding["metadata"]?["namespace"]?.string == namespace {
            guard matchingSubject(binding, user: user, bindingNamespace: namespace) != nil, let name = binding["roleRef"]?["name"]?.string else { continue }
            switch roleRefKind(binding) {
            case "Role": add(find(roles, namespace: namespace, name: name))
            case "ClusterRole": add(clusterRole(named: name).map { role in
                // Through a RoleBinding a ClusterRole grants no non-resource URLs.
                var r = role
                r["rules"] = .array((role["rules"]?.array ?? []).filter { ($0["nonResourceURLs"]?.array ?? []).isEmpty })
                return r
            })
            default: continue
            }
        }
        return out
    }

    func roleRefKind(_ binding: JSON) -> String { binding["roleRef"]?["kind"]?.string ?? "" }

    func find(_ objects: [JSON], namespace: String?, name: String) -> JSON? {
        objects.first { $0["metadata"]?["name"]?.string == name && (namespace == nil || $0["metadata"]?["namespace"]?.string == namespace) }
    }

    /// A ClusterRole with its effective rules: for an aggregated one (`aggregationRule`),
    /// the rules of every other ClusterRole its selectors match, as kube's aggregation
    /// controller would have written them.
    func clusterRole(named name: String) -> JSON? {
        guard var role = find(clusterRoles, namespace: nil, name: name) else { return nil }
        guard let selectors = role["aggregationRule"]?["clusterRoleSelectors"]?.array else { return role }
        let parsed = selectors.compactMap { try? LabelSelector(parsing: LabelSelector.string(fromObject: $0)) }
        var rules: [JSON] = []
        for other in clusterRoles where other["metadata"]?["name"]?.string != name {
            guard parsed.contains(where: { $0.matches(LabelSelector.labels(of: other)) }) else { continue }
            rules += other["rules"]?.array ?? []
        }
        role["rules"] = .array(rules)
        return role
    }

    func grants(_ role: JSON, _ a: RequestAttributes) -> Bool {
        (role["rules"]?.array ?? []).contains { PolicyRule(json: $0).allows(a) }
    }

    /// The first subject of the binding that names this user, described as kube does.
    func matchingSubject(_ binding: JSON, user: RequestContext, bindingNamespace: String) -> String? {
        for s in binding["subjects"]?.array ?? [] {
            guard let kind = s["kind"]?.string, let name = s["name"]?.string else { continue }
            switch kind {
            case "User":
                if user.user == name { return "User \(q(name))" }
            case "Group":
                if user.groups.contains(name) { return "Group \(q(name))" }
            case "ServiceAccount":
                let ns = s["namespace"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace
                if !ns.isEmpty, user.user == "system:serviceaccount:\(ns):\(name)" { return "ServiceAccount \(q("\(name)/\(ns)"))" }
            default:
                continue
            }
        }
        return nil
    }

    func allowed(by bindingKind: String, _ binding: JSON, roleKind: String, _ roleName: String, _ subject: String) -> AuthorizationDecision {
        let name = binding["metadata"]?["name"]?.string ?? ""
        let where_ = binding["metadata"]?["namespace"]?.string.map { "\(name)/\($0)" } ?? name
        return AuthorizationDecision(allowed: true, reason: "RBAC: allowed by \(bindingKind) \(q(where_)) of \(roleKind) \(q(roleName)) to \(subject)")
    }

    private func q(_ s: String) -> String { "\"\(s)\"" }
}
