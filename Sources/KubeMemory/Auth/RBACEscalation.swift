import JSONValue
import Kube

/// kube's RBAC escalation prevention: a user may write a Role or ClusterRole only with
/// rules they hold themselves (or with `escalate` on it), and a binding only to a role
/// whose rules they hold (or with `bind` on it). So a ServiceAccount allowed to write
/// RBAC objects in its namespace cannot give anyone more than it has.
struct RBACEscalation {
    let authorizer: RBACAuthorizer

    /// The rules `user` holds in `namespace` ("" for cluster-wide ones only).
    func held(by user: RequestContext, in namespace: String) -> [PolicyRule] {
        PublicPolicy.rules + authorizer.rules(for: user, namespace: namespace)
    }

    /// The rules of `rules` not covered by `owner`, one verb, group, resource and name each.
    static func missing(_ rules: [PolicyRule], coveredBy owner: [PolicyRule]) -> [PolicyRule] {
        var out: [PolicyRule] = []
        for rule in rules {
            for atomic in breakdown(rule) where !owner.contains(where: { covers($0, atomic) }) {
                out.append(atomic)
            }
        }
        return out
    }

    static func breakdown(_ r: PolicyRule) -> [PolicyRule] {
        var out: [PolicyRule] = []
        for group in r.apiGroups {
            for resource in r.resources {
                for verb in r.verbs {
                    if r.resourceNames.isEmpty {
                        out.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in r.resourceNames {
                            out.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        for url in r.nonResourceURLs {
            for verb in r.verbs { out.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return out
    }

    /// Whether an owner rule covers a broken-down rule, as kube's `ruleCovers`.
    static func covers(_ owner: PolicyRule, _ r: PolicyRule) -> Bool {
        func all(_ have: [String], _ want: [String]) -> Bool { want.allSatisfy(have.contains) }
        let verbs = owner.verbs.contains("*") || all(owner.verbs, r.verbs)
        let groups = owner.apiGroups.contains("*") || all(owner.apiGroups, r.apiGroups)
        let resources = owner.resources.contains("*") || r.resources.allSatisfy { resource in
            if owner.resources.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owner.resources.contains("*" + resource[slash...])
        }
        let urls = r.nonResourceURLs.allSatisfy { url in
            owner.nonResourceURLs.contains { o in
                o == url || (o.hasSuffix("*") && url.hasPrefix(String(o.reversed().drop { $0 == "*" }.reversed())))
            }
        }
        let names = r.resourceNames.isEmpty ? owner.resourceNames.isEmpty : (owner.resourceNames.isEmpty || all(owner.resourceNames, r.resourceNames))
        return verbs && groups && resources && urls && names
    }

    /// kube's wording of the missing rules: one `{APIGroups:[…], Resources:[…], Verbs:[…]}`
    /// per group, resource and names, verbs merged, sorted.
    static func describe(_ missing: [PolicyRule]) -> String {
        var merged: [PolicyRule] = []
        for m in missing {
            if let i = merged.firstIndex(where: { $0.apiGroups == m.apiGroups && $0.resources == m.resources
                && $0.resourceNames == m.resourceNames && $0.nonResourceURLs == m.nonResourceURLs }) {
                merged[i].verbs += m.verbs.filter { !merged[i].verbs.contains($0) }
            } else {
                merged.append(m)
            }
        }
        func q(_ list: [String]) -> String { "[" + list.map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        let lines = merged.map { r -> String in
            var parts: [String] = []
            if !r.apiGroups.isEmpty { parts.append("APIGroups:\(q(r.apiGroups))") }
            if !r.resources.isEmpty { parts.append("Resources:\(q(r.resources))") }
            if !r.nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(q(r.nonResourceURLs))") }
            if !r.resourceNames.isEmpty { parts.append("ResourceNames:\(q(r.resourceNames))") }
            if !r.verbs.isEmpty { parts.append("Verbs:\(q(r.verbs))") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        return Array(Set(lines)).sorted().joined(separator: "\n")
    }
}

extension MemoryCluster {
    /// Refuses, with kube's 403, a Role, ClusterRole or binding `user` may not write because
    /// it would grant more than `user` holds. `object` is the object as it would be stored.
    /// Masters, in-process callers and a cluster without RBAC are not checked.
    public func checkNoEscalation(_ object: JSON, gvr: GroupVersionResource, namespace: String?, as user: RequestContext) throws(KubeError) {
        guard authorizationMode == .rbac, user.user != nil, !user.isSuperuser, gvr.group == RBACAuthorizer.rbacGroup else { return }
        let ns = namespace ?? ""
        let name = object["metadata"]?["name"]?.string ?? ""
        let authorizer = rbacAuthorizer()
        let escalation = RBACEscalation(authorizer: authorizer)
        let rules: [PolicyRule]
        switch gvr.resource {
        case "roles", "clusterroles":
            let escalate = RequestAttributes(verb: "escalate", group: gvr.group, resource: gvr.resource, namespace: ns, name: name)
            if authorize(escalate, as: user).allowed { return }
            rules = (object["rules"]?.array ?? []).map(PolicyRule.init(json:))
        case "rolebindings", "clusterrolebindings":
            let kind = object["roleRef"]?["kind"]?.string ?? ""
            let roleName = object["roleRef"]?["name"]?.string ?? ""
            let roleResource = kind == "Role" ? "roles" : "clusterroles"
            let bind = RequestAttributes(verb: "bind", group: gvr.group, resource: roleResource, namespace: ns, name: roleName)
            if authorize(bind, as: user).allowed { return }
            let role = kind == "Role" ? authorizer.find(authorizer.roles, namespace: ns, name: roleName) : authorizer.clusterRole(named: roleName)
            guard let role else {
                let roleGVR = GroupVersionResource(group: gvr.group, version: "v1", resource: roleResource)
                throw forbidden(gvr, name, KubeError.notFound(ObjectRef(roleGVR, namespace: kind == "Role" ? ns : nil, name: roleName)).message)
            }
            rules = (role["rules"]?.array ?? []).map(PolicyRule.init(json:))
        default:
            return
        }
        let missing = RBACEscalation.missing(rules, coveredBy: escalation.held(by: user, in: ns))
        guard !missing.isEmpty else { return }
        let groups = "[" + user.groups.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        throw forbidden(gvr, name, "user \"\(user.user ?? "")\" (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n\(RBACEscalation.describe(missing))")
    }

    private func forbidden(_ gvr: GroupVersionResource, _ name: String, _ why: String) -> KubeError {
        KubeError(code: 403, reason: "Forbidden", message: "\(gvr.resource).\(gvr.group) \"\(name)\" is forbidden: \(why)",
                  details: ["name": .string(name), "group": .string(gvr.group), "kind": .string(gvr.resource)])
    }

    /// The object a patch would store, computed on a copy of the state (nothing changes,
    /// nobody is told).
    public func dryRunPatch(_ ref: ObjectRef, type: PatchType, body: JSON, options: WriteOptions) throws -> JSON {
        var dry = options
        dry.dryRun = true
        let request = WriteRequest(options: dry, context: .anonymous)
        return try state.withLock { s in
            var copy = s
            return try copy.patch(try copy.registry.require(ref.gvr), ref, subresource: nil, patchType: type, body: body, request: request)
        }
    }

    /// The escalation check of an in-process write (`…, context:` calls).
    func checkEscalation(_ gvr: GroupVersionResource, namespace: String?, _ object: () throws -> JSON, _ context: RequestContext) throws {
        guard authorizationMode == .rbac, context.user != nil, !context.isSuperuser, gvr.group == RBACAuthorizer.rbacGroup else { return }
        try checkNoEscalation(try object(), gvr: gvr, namespace: namespace, as: context)
    }
}
