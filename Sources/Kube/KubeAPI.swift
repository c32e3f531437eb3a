import JSONValue

/// The Kubernetes API as yopf uses it. Two implementations stand behind it: the in-memory
/// server (`KubeMemory`) and the HTTP client over libcurl. Every call throws `KubeError`
/// for answers the server gives and other errors only for transport failures.
///
/// Bodies and results are whole objects as JSON (`apiVersion`, `kind`, `metadata`, …);
/// `list` returns a `…List` object with `metadata.resourceVersion` and `items`.
public protocol KubeAPI: Sendable {
    /// Discovery: every resource type served, including CRDs that are established.
    func resources() async throws -> [ResourceInfo]

    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON
    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON
    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON
    /// PUT: replaces the object (or with `subresource`, only that part of it).
    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON
    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON
    /// Returns the object as it is after the call: still there with a `deletionTimestamp`
    /// while finalizers hold it, or as it was when it is gone.
    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON
    /// Events until the server ends the stream (timeout) or the consumer stops iterating.
    /// A resourceVersion too old to serve yields an `.error` event with a 410 Status.
    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error>
}

extension KubeAPI {
    public func get(_ ref: ObjectRef) async throws -> JSON { try await get(ref, subresource: nil) }

    public func list(_ gvr: GroupVersionResource, namespace: String? = nil) async throws -> JSON {
        try await list(gvr, namespace: namespace, options: ListOptions())
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON) async throws -> JSON {
        try await create(gvr, namespace: namespace, body: body, options: WriteOptions())
    }

    public func delete(_ ref: ObjectRef) async throws -> JSON { try await delete(ref, options: DeleteOptions()) }
}
