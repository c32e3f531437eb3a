import JSONValue
import Kube

extension MemoryCluster: ServiceAccountScoping {
    /// A session as the ServiceAccount (what a TokenRequest token would give), so that
    /// RBAC, when the cluster enforces it, bounds a tenant's handlers in process too.
    public func asServiceAccount(_ name: String, namespace: String) async throws -> any KubeAPI {
        // Like a TokenRequest: the ServiceAccount must exist.
        _ = try await get(ObjectRef(GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts"), namespace: namespace, name: name))
        return session(as: .serviceAccount(namespace: namespace, name: name))
    }
}
