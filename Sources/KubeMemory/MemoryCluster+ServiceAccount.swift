import JSONValue
import Kube

extension MemoryCluster: ServiceAccountScoping {
    /// Requests as the ServiceAccount (what a TokenRequest token would make them), so that
    /// RBAC, when the cluster enforces it, bounds a tenant's handlers in process too.
    public func asServiceAccount(_ name: String, namespace: String) async throws -> any KubeAPI {
        // Like a TokenRequest: the ServiceAccount must exist.
        _ = try await get(ObjectRef(GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts"), namespace: namespace, name: name))
        let context = RequestContext(
            user: Self.username(name, namespace: namespace),
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
        return ContextualCluster(cluster: self, context: context)
    }
}

/// The in-memory cluster as one identity sees it.
public struct ContextualCluster: KubeAPI, PodAccess {
    public let cluster: MemoryCluster
    public let context: RequestContext

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

    public func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        try await cluster.exec(request, stdin: stdin, stdout: stdout, stderr: stderr)
    }

    public func logs(_ request: PodLogRequest) async throws -> String {
        try await cluster.logs(request)
    }
}
