import JSONValue
import Kube

/// The in-memory cluster as one caller sees it: every call carries that caller's
/// `RequestContext`, so RBAC (when on) bounds it exactly as it bounds the same identity
/// over HTTP. What tenant credentials look like in process: `cluster.session(token:)` with
/// a token from the TokenRequest API.
public struct MemoryClusterSession: KubeAPI, PodAccess {
    public let cluster: MemoryCluster
    public let context: RequestContext

    public init(cluster: MemoryCluster, context: RequestContext) {
        self.cluster = cluster
        self.context = context
    }

    public func resources() async throws -> [ResourceInfo] { try await cluster.resources() }

    public func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try await cluster.get(ref, subresource: subresource, context: context)
    }

    public func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try await cluster.list(gvr, namespace: namespace, options: options, context: context)
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await cluster.create(gvr, namespace: namespace, body: body, options: options, context: context)
    }

    public func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await cluster.update(ref, subresource: subresource, body: body, options: options, context: context)
    }

    public func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try await cluster.patch(ref, subresource: subresource, type: type, body: body, options: options, context: context)
    }

    public func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        try await cluster.delete(ref, options: options, context: context)
    }

    public func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try await cluster.watch(gvr, namespace: namespace, options: options, context: context)
    }

    /// Needs `create` on `pods/exec` in the pod's namespace.
    public func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        try cluster.checkCall("create", MemoryCluster.pods, "exec", request.namespace, request.pod, context)
        return try await cluster.exec(request, stdin: stdin, stdout: stdout, stderr: stderr)
    }

    /// Needs `get` on `pods/log` in the pod's namespace.
    public func logs(_ request: PodLogRequest) async throws -> String {
        try cluster.checkCall("get", MemoryCluster.pods, "log", request.namespace, request.pod, context)
        return try await cluster.logs(request)
    }

    /// A TokenRequest for a ServiceAccount, on behalf of this caller (it needs `create` on
    /// `serviceaccounts/token`).
    public func requestToken(namespace: String, serviceAccount: String, request: JSON) throws(KubeError) -> JSON {
        try cluster.requestToken(namespace: namespace, serviceAccount: serviceAccount, request: request, context: context)
    }
}

extension MemoryCluster {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    /// The cluster as `context` sees it.
    public func session(as context: RequestContext) -> MemoryClusterSession {
        MemoryClusterSession(cluster: self, context: context)
    }

    /// The cluster as the holder of a bearer token sees it (401 for a token that does not
    /// authenticate now; a session outliving its token keeps the identity).
    public func session(token: String) throws(KubeError) -> MemoryClusterSession {
        MemoryClusterSession(cluster: self, context: try authenticate(token: token))
    }
}
