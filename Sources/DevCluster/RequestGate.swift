import Platform
import Kube
import KubeMemory

/// Authentication and authorization of one HTTP request, as kube-apiserver's filters do
/// them before any handler runs. The router calls it for every request, the WebSocket
/// upgrade path (exec) before it answers 101.
///
/// Authentication: `Authorization: Bearer T` is the dev-cluster's admin token (user
/// `admin`, group `system:masters`) or a ServiceAccount token from the TokenRequest API;
/// anything else is 401. A request without credentials — kubectl sends none over plain
/// http — is `system:anonymous` when RBAC is on, and the administrator when it is off
/// (as the dev-cluster always behaved). Authorization: the backend's mode and RBAC objects
/// (only a `MemoryCluster` backend has them; other backends allow every authenticated call).
/// Impersonation headers (`kubectl --as`) are honoured as kube-apiserver honours them.
public struct RequestGate: Sendable {
    public let backend: any DevClusterBackend
    /// The admin bearer token the kubeconfig carries, if the server has one.
    public let token: String?

    public init(backend: any DevClusterBackend, token: String?) {
        self.backend = backend
        self.token = token
    }

    var cluster: MemoryCluster? { backend as? MemoryCluster }

    /// Who makes the request, or 401 Unauthorized.
    public func authenticate(_ r: APIRequest) throws(KubeError) -> RequestContext {
        let rbac = cluster?.authorizationMode == .rbac
        guard let header = r.header("authorization") else { return rbac ? .unauthenticated : .admin }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .unauthorized() }
        let given = String(parts[1].trimmingBlanks())
        if let token, given == token { return .admin }
        if let cluster {
            do {
                return try cluster.authenticate(token: given)
            } catch {
                // Without an admin token and without RBAC every caller used to be let in.
                if token == nil, !rbac { return .admin }
                throw error
            }
        }
        if token == nil { return .admin }
        throw .unauthorized()
    }

    /// `admit(_:path:)` for a request as it came (the WebSocket upgrade path calls this
    /// with the upgrade request before answering 101).
    @discardableResult
    public func admit(_ r: APIRequest) throws(KubeError) -> RequestContext {
        let path = r.path.count > 1 && r.path.hasSuffix("/") ? String(r.path.dropLast()) : r.path
        return try admit(r, path: path)
    }

    /// Authenticates and authorizes; returns the caller, or throws 401 or kube's 403.
    /// `path` is the request path without a trailing slash.
    @discardableResult
    public func admit(_ r: APIRequest, path: String) throws(KubeError) -> RequestContext {
        var user = try authenticate(r)
        if let target = try Impersonation.requested(r) {
            if let cluster { try Impersonation.check(user, as: target, requestedGroups: Impersonation.requestedGroups(r), on: cluster) }
            user = target
        }
        try cluster?.checkAccess(RequestAttributes(http: r, path: path), as: user)
        return user
    }
}
