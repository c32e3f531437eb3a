import Platform
import JSONValue
import Kube
import Synchronization

/// An in-memory Kubernetes API server behind the `KubeAPI` seam: the test backbone of yopf,
/// and what `DevCluster` serves over HTTP to kubectl.
///
/// It keeps kube-apiserver's contract where clients depend on it: a cluster-wide
/// resourceVersion, 409 on stale updates, status and scale subresources, generation,
/// finalizers and deletionTimestamp, owner-reference garbage collection (synchronous, so
/// tests never wait), namespace and CRD lifecycles, label and field selectors, paged
/// lists, and watches that resume from a resourceVersion or get 410 Expired.
///
/// All state sits behind one lock; a request holds it only while it computes, never across
/// an `await`. Watch events are yielded under the lock, so every watcher sees changes in
/// resourceVersion order. Controllers that simulate workloads (Deployments making Pods
/// Ready, Jobs completing) belong outside this type: they watch it and write to it
/// through the same API, as kube's controllers do.
public final class MemoryCluster: KubeAPI, Sendable {
    public struct Configuration: Sendable {
        /// How many recent changes are kept for watches that resume from a resourceVersion.
        public var historySize: Int
        /// How many undelivered events a watcher may have before it is ended with 410.
        public var watchBufferSize: Int
        /// How often watches with `allowBookmarks` get a BOOKMARK event.
        public var bookmarkInterval: Duration
        /// Whether calls with a user in their `RequestContext` are checked by RBAC (see
        /// MemoryCluster+Authorization); `authorizationMode` changes it later.
        public var authorization: AuthorizationMode

        public init(historySize: Int = 10_000, watchBufferSize: Int = 1_000, bookmarkInterval: Duration = .seconds(60),
                    authorization: AuthorizationMode = .alwaysAllow) {
            self.historySize = historySize
            self.watchBufferSize = watchBufferSize
            self.bookmarkInterval = bookmarkInterval
            self.authorization = authorization
        }
    }

    let state: Mutex<ClusterState>
    public let configuration: Configuration
    /// Container output the simulated kubelet (Controllers/) records, served by `podLogs`.
    let podLogStore = PodLogStore()
    /// Authorization mode and issued tokens (Auth/).
    let accessControl: AccessControl

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        accessControl = AccessControl(mode: configuration.authorization)
        state = Mutex(ClusterState(historySize: configuration.historySize, watchBufferSize: configuration.watchBufferSize))
        seedBootstrapPolicy()
    }

    // MARK: Discovery and schemas

    public func resources() async throws -> [ResourceInfo] {
        state.withLock { $0.registry.all.map(\.info) }
    }

    public func resourceInfo(for gvk: GroupVersionKind) -> ResourceInfo? {
        state.withLock { $0.registry.type(for: gvk)?.info }
    }

    public func resourceInfo(for gvr: GroupVersionResource) -> ResourceInfo? {
        state.withLock { $0.registry[gvr]?.info }
    }

    /// The `openAPIV3Schema` of a custom resource's CRD version; nil for built-ins and
    /// CRDs without a schema.
    public func openAPISchema(for gvk: GroupVersionKind) -> JSON? {
        state.withLock { $0.registry.type(for: gvk)?.openAPISchema }
    }

    /// The resourceVersion of the last change.
    public var currentResourceVersion: String {
        state.withLock { String($0.resourceVersion) }
    }

    // MARK: KubeAPI (anonymous callers)

    public func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try await get(ref, subresource: subresource, context: .anonymous)
    }

    public func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try await list(gvr, namespace: namespace, options: options, context: .anonymous)
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await create(gvr, namespace: namespace, body: body, options: options, context: .anonymous)
    }

    public func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await update(ref, subresource: subresource, body: body, options: options, context: .anonymous)
    }

    public func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try await patch(ref, subresource: subresource, type: type, body: body, options: options, context: .anonymous)
    }

    public func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        try await delete(ref, options: options, context: .anonymous)
    }

    public func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try await watch(gvr, namespace: namespace, options: options, context: .anonymous)
    }

    // MARK: The same calls on behalf of a caller (the seam for authorization)

    public func get(_ ref: ObjectRef, subresource: String?, context: RequestContext) async throws -> JSON {
        try checkCall("get", ref.gvr, subresource, ref.namespace, ref.name, context)
        try await admit("get", ref.gvr, subresource, ref.namespace, ref.name, context)
        return try state.withLock { s in try s.get(try s.registry.require(ref.gvr), ref, subresource: subresource) }
    }

    public func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions, context: RequestContext) async throws -> JSON {
        try checkCall("list", gvr, nil, namespace, nil, context)
        try await admit("list", gvr, nil, namespace, nil, context)
        return try state.withLock { s in try s.list(try s.registry.require(gvr), namespace: namespace, options: options) }
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions, context: RequestContext) async throws -> JSON {
        try checkCall("create", gvr, nil, namespace, nil, context)  // kube authorizes a create without a name
        try checkEscalation(gvr, namespace: namespace, { body }, context)
        try await admit("create", gvr, nil, namespace, body["metadata"]?["name"]?.string, context)
        let request = WriteRequest(options: options, context: context)
        return try state.withLock { s in
            try s.create(try s.registry.require(gvr), urlNamespace: namespace, body: body, request: request)
        }
    }

    public func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions, context: RequestContext) async throws -> JSON {
        try checkCall("update", ref.gvr, subresource, ref.namespace, ref.name, context)
        try checkEscalation(ref.gvr, namespace: ref.namespace, { body }, context)
        try await admit("update", ref.gvr, subresource, ref.namespace, ref.name, context)
        let request = WriteRequest(options: options, context: context)
        return try state.withLock { s in
            try s.update(try s.registry.require(ref.gvr), ref, subresource: subresource, body: body, request: request)
        }
    }

    public func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions, context: RequestContext) async throws -> JSON {
        try checkCall("patch", ref.gvr, subresource, ref.namespace, ref.name, context)
        try checkEscalation(ref.gvr, namespace: ref.namespace, { try self.dryRunPatch(ref, type: type, body: body, options: options) }, context)
        try await admit("patch", ref.gvr, subresource, ref.namespace, ref.name, context)
        let request = WriteRequest(options: options, context: context)
        return try state.withLock { s in
            try s.patch(try s.registry.require(ref.gvr), ref, subresource: subresource, patchType: type, body: body, request: request)
        }
    }

    public func delete(_ ref: ObjectRef, options: DeleteOptions, context: RequestContext) async throws -> JSON {
        try checkCall("delete", ref.gvr, nil, ref.namespace, ref.name, context)
        try await admit("delete", ref.gvr, nil, ref.namespace, ref.name, context)
        return try state.withLock { s in
            try s.delete(try s.registry.require(ref.gvr), ref, options: options, now: Timestamp.now())
        }
    }

    public func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions, context: RequestContext) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try checkCall("watch", gvr, nil, namespace, nil, context)
        let dropAfter = try await admit("watch", gvr, nil, namespace, nil, context)
        let (id, stream) = try state.withLock { s in
            try s.openWatch(try s.registry.require(gvr), namespace: namespace, options: options, dropAfter: dropAfter)
        }
        guard let id else { return stream }
        // A consumer that stops reading (a client that hung up) releases its watcher at
        // once, not at the next event. Called from finish() under the lock too, so it only
        // schedules the removal.
        state.withLock { s in
            s.watchers[id]?.continuation.onTermination = { [weak self] _ in
                Task { self?.state.withLock { $0.endWatch(id) } }
            }
        }
        var timers: [Task<Void, Never>] = []
        if let seconds = options.timeoutSeconds, seconds > 0 {
            timers.append(Task { [weak self] in
                try? await Task.sleep(for: .seconds(seconds))
                if Task.isCancelled { return }
                self?.state.withLock { $0.endWatch(id) }
            })
        }
        if options.allowBookmarks {
            let interval = configuration.bookmarkInterval
            timers.append(Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { return }
                    guard let self else { return }
                    let open = self.state.withLock { s in
                        s.sendBookmark(to: id)
                        return s.watchers[id] != nil
                    }
                    if !open { return }
                }
            })
        }
        let attached = state.withLock { s -> Bool in
            guard s.watchers[id] != nil else { return false }
            s.watchers[id]?.timers = timers
            return true
        }
        if !attached { for t in timers { t.cancel() } }
        return stream
    }

    /// Ends every open watch stream, as a restarted API server or a dropped connection would.
    public func dropAllWatches() {
        state.withLock { $0.endAllWatches() }
    }

    /// How many watches are open (for tests that check streams are released).
    public var openWatchCount: Int {
        state.withLock { $0.watchers.count }
    }
}
