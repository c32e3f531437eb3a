/// The identities kube-apiserver gives its callers, as request contexts.
extension RequestContext {
    /// The dev-cluster's own administrator: the bearer token in the kubeconfig it writes.
    public static let admin = RequestContext(user: "admin", groups: ["system:masters", "system:authenticated"])

    /// A request that carries no credentials, as kube-apiserver names it when anonymous
    /// requests are enabled.
    public static let unauthenticated = RequestContext(user: "system:anonymous", groups: ["system:unauthenticated"])

    /// What a ServiceAccount's token authenticates as.
    public static func serviceAccount(namespace: String, name: String) -> RequestContext {
        RequestContext(user: "system:serviceaccount:\(namespace):\(name)",
                       groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }

    /// Members of `system:masters` may do everything, whatever the RBAC objects say.
    public var isSuperuser: Bool { groups.contains("system:masters") }

    /// The namespace and name when this is a ServiceAccount's identity.
    public var serviceAccount: (namespace: String, name: String)? {
        guard let user else { return nil }
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount", !parts[2].isEmpty, !parts[3].isEmpty else { return nil }
        return (String(parts[2]), String(parts[3]))
    }
}
