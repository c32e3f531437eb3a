import JSONValue
import Kube

/// The API a preview without a cluster talks to: discovery only (the built-in kinds, the
/// operator's CRD and the kinds its steps name), every other call refused. A plan made
/// offline can therefore neither read nor write anything, by construction.
struct OfflineAPI: KubeAPI {
    let served: [ResourceInfo]

    static func refusal(_ what: String) -> KubeError {
        KubeError(code: 503, reason: "ServiceUnavailable", message: "yopf plan has no cluster to \(what) (add --cluster to read from one)")
    }

    func resources() async throws -> [ResourceInfo] { served }
    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON { throw Self.refusal("read \(ref) from") }
    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON { throw Self.refusal("list \(gvr.resource) in") }
    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON { throw Self.refusal("write to") }
    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON { throw Self.refusal("write to") }
    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON { throw Self.refusal("write to") }
    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON { throw Self.refusal("write to") }
    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        throw Self.refusal("watch")
    }
}

/// A cluster API that reads and dry-runs only: every create, update, patch and delete
/// without `dryRun` is refused before it leaves the process. `yopf plan --cluster` talks
/// through it, so that no code path of the preview can change the cluster.
struct ReadOnlyAPI: KubeAPI {
    let base: any KubeAPI

    static func refusal(_ verb: String, _ what: String) -> KubeError {
        KubeError(code: 405, reason: "MethodNotAllowed", message: "yopf plan never writes: refused to \(verb) \(what) without dryRun")
    }

    func resources() async throws -> [ResourceInfo] { try await base.resources() }

    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON { try await base.get(ref, subresource: subresource) }

    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try await base.list(gvr, namespace: namespace, options: options)
    }

    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        guard options.dryRun else { throw Self.refusal("create", gvr.resource) }
        return try await base.create(gvr, namespace: namespace, body: body, options: options)
    }

    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        guard options.dryRun else { throw Self.refusal("update", "\(ref)") }
        return try await base.update(ref, subresource: subresource, body: body, options: options)
    }

    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        guard options.dryRun else { throw Self.refusal("patch", "\(ref)") }
        return try await base.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }

    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        guard options.dryRun else { throw Self.refusal("delete", "\(ref)") }
        return try await base.delete(ref, options: options)
    }

    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        throw KubeError(code: 405, reason: "MethodNotAllowed", message: "yopf plan does not watch")
    }
}
