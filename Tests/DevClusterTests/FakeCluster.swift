import JSONValue
import DevCluster
import Kube

/// A very small `DevClusterBackend` for testing the HTTP front alone: a dictionary of
/// objects, merge patches, and watches that see later writes. It knows nothing of
/// finalizers, owners or selectors beyond `app=x`-style label equality.
actor FakeCluster: DevClusterBackend {
    var objects: [ObjectRef: JSON] = [:]
    var version = 1
    var watchers: [(id: Int, gvr: GroupVersionResource, continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation)] = []
    var nextWatcher = 0
    var crdSchemas: [GroupVersionKind: JSON] = [:]

    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let widgets = GroupVersionResource(group: "example.com", version: "v1", resource: "widgets")

    nonisolated let resourceList: [ResourceInfo] = [
        ResourceInfo(gvr: configMaps, kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        ResourceInfo(gvr: GroupVersionResource(group: "", version: "v1", resource: "namespaces"), kind: "Namespace", namespaced: false, shortNames: ["ns"]),
        ResourceInfo(gvr: deployments, kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceInfo(gvr: widgets, kind: "Widget", namespaced: true, subresources: ["status"]),
    ]

    init() {
        crdSchemas[GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")] = [
            "type": "object", "properties": ["spec": ["type": "object", "properties": ["size": ["type": "integer"]]]],
        ]
    }

    var watcherCount: Int { watchers.count }

    func resources() async throws -> [ResourceInfo] { resourceList }

    func openAPISchema(for gvk: GroupVersionKind) async throws -> JSON? { crdSchemas[gvk] }

    func kind(_ gvr: GroupVersionResource) -> String { resourceList.first { $0.gvr == gvr }?.kind ?? "Unknown" }

    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        guard let o = objects[ref] else { throw KubeError.notFound(ref) }
        return o
    }

    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        let items = objects.filter { $0.key.gvr == gvr && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { $0.key.name < $1.key.name }.map(\.value)
            .filter { matches($0, options.labelSelector) }
        return ["apiVersion": .string(gvr.apiVersion), "kind": .string(kind(gvr) + "List"),
                "metadata": ["resourceVersion": .string(String(version))], "items": .array(items)]
    }

    func matches(_ o: JSON, _ selector: String?) -> Bool {
        guard let selector, !selector.isEmpty else { return true }
        return selector.split(separator: ",").allSatisfy { term in
            let kv = term.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 && o["metadata"]?["labels"]?[kv[0]]?.string == kv[1]
        }
    }

    func store(_ ref: ObjectRef, _ object: JSON, event: WatchEvent.EventType) -> JSON {
        version += 1
        var o = object
        o.set(.string(String(version)), at: ["metadata", "resourceVersion"])
        if event == .deleted { objects[ref] = nil } else { objects[ref] = o }
        for w in watchers where w.gvr == ref.gvr { w.continuation.yield(WatchEvent(type: event, object: o)) }
        return o
    }

    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        guard let name = body["metadata"]?["name"]?.string else { throw KubeError.badRequest("name required") }
        let ref = ObjectRef(gvr, namespace: namespace, name: name)
        if objects[ref] != nil { throw KubeError.alreadyExists(ref) }
        var o = body
        o.set("2024-01-01T00:00:00Z", at: ["metadata", "creationTimestamp"])
        o.set(.string("uid-\(name)"), at: ["metadata", "uid"])
        if options.dryRun { return o }
        return store(ref, o, event: .added)
    }

    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        guard objects[ref] != nil else { throw KubeError.notFound(ref) }
        return store(ref, body, event: .modified)
    }

    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        guard let o = objects[ref] else {
            if type == .apply { return try await create(ref.gvr, namespace: ref.namespace, body: body, options: options) }
            throw KubeError.notFound(ref)
        }
        return store(ref, o.mergePatched(with: body), event: .modified)
    }

    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        guard let o = objects[ref] else { throw KubeError.notFound(ref) }
        return store(ref, o, event: .deleted)
    }

    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        nextWatcher += 1
        let id = nextWatcher
        if options.resourceVersion == nil || options.resourceVersion == "0" {
            for (ref, o) in objects where ref.gvr == gvr { continuation.yield(WatchEvent(type: .added, object: o)) }
        }
        watchers.append((id, gvr, continuation))
        continuation.onTermination = { _ in Task { await self.removeWatcher(id) } }
        return stream
    }

    func removeWatcher(_ id: Int) { watchers.removeAll { $0.id == id } }
}
