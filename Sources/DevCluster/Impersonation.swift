import Platform
import Kube
import KubeMemory

/// `Impersonate-User` and `Impersonate-Group` (`kubectl --as`, `--as-group`), as
/// kube-apiserver handles them: the authenticated caller needs the `impersonate` verb on
/// `users` (or on `serviceaccounts` in the account's namespace, for
/// `system:serviceaccount:NS:NAME`) and on `groups`; the request then runs as that
/// identity. kubectl sends these headers over plain http too (unlike its credentials), so
/// on a dev-cluster with RBAC on an administrator who lets `system:anonymous` impersonate
/// can use kubectl as any ServiceAccount.
enum Impersonation {
    /// The identity the request asks to act as, or nil when it asks for none.
    static func requested(_ r: APIRequest) throws(KubeError) -> RequestContext? {
        let user = r.header("impersonate-user").map { $0.trimmingBlanks() } ?? ""
        let groups = requestedGroups(r)
        if user.isEmpty {
            guard groups.isEmpty else {
                throw .badRequest("requested impersonation is incomplete: Impersonate-Group needs Impersonate-User")
            }
            return nil
        }
        if let sa = RequestContext(user: user).serviceAccount {
            var context = RequestContext.serviceAccount(namespace: sa.namespace, name: sa.name)
            context.groups = groups + context.groups.filter { !groups.contains($0) }
            return context
        }
        var all = groups
        if user != "system:anonymous", !all.contains("system:authenticated") { all.append("system:authenticated") }
        return RequestContext(user: user, groups: all)
    }

    /// Throws kube's 403 unless `caller` may act as `target`.
    static func check(_ caller: RequestContext, as target: RequestContext, requestedGroups: [String], on cluster: MemoryCluster) throws(KubeError) {
        let name = target.user ?? ""
        let attributes: RequestAttributes
        if let sa = target.serviceAccount {
            attributes = RequestAttributes(verb: "impersonate", resource: "serviceaccounts", namespace: sa.namespace, name: sa.name)
        } else {
            attributes = RequestAttributes(verb: "impersonate", resource: "users", name: name)
        }
        try cluster.checkAccess(attributes, as: caller)
        for group in requestedGroups {
            try cluster.checkAccess(RequestAttributes(verb: "impersonate", resource: "groups", name: group), as: caller)
        }
    }

    /// `Impersonate-Group` headers (repeated headers arrive joined with ", ").
    static func requestedGroups(_ r: APIRequest) -> [String] {
        (r.header("impersonate-group") ?? "").split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
    }
}
