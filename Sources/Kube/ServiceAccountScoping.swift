import JSONValue

/// An API that can act as a ServiceAccount of the cluster: what a handler with
/// `serviceAccount:` runs its steps through, so that Kubernetes RBAC bounds what a
/// resource can make the operator do (the multitenancy design: the resource names a
/// ServiceAccount of its own namespace, and the operator uses a short-lived token of it).
public protocol ServiceAccountScoping: KubeAPI {
    /// The same API, every request made as `system:serviceaccount:NAMESPACE:NAME`.
    /// Throws when no token can be had (the ServiceAccount does not exist, or the
    /// operator may not create tokens for it).
    func asServiceAccount(_ name: String, namespace: String) async throws -> any KubeAPI
}

extension ServiceAccountScoping {
    /// The username Kubernetes gives a ServiceAccount.
    public static func username(_ name: String, namespace: String) -> String {
        "system:serviceaccount:\(namespace):\(name)"
    }
}
