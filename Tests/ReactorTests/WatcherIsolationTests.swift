import DevCluster
import Glibc
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Reactor
import Synchronization
import Testing

/// One object must not stop the others (issue 18): a resource nested 505 levels deep made
/// the list and the watch of its whole kind fail for ever. Here the dev-cluster serves
/// over HTTP to the libcurl client, and `Watcher` lists and watches a namespace holding a
/// deep object beside normal ones: the normal ones are listed and watched, the deep one is
/// handled like any other, and one the client cannot decode at all is named and skipped.
@Suite struct WatcherIsolationTests {
    static let things = GroupVersionResource(group: "example.com", version: "v1", resource: "things")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    static let crd: JSON = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "things.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "things", "singular": "thing", "kind": "Thing"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
            ]],
        ],
    ]

    static func thing(_ name: String, depth: Int = 0) -> JSON {
        var spec: JSON = ["leaf": true]
        for _ in 0..<depth { spec = ["nested": spec] }
        return ["apiVersion": "example.com/v1", "kind": "Thing", "metadata": ["name": .string(name)], "spec": spec]
    }

    /// The dev-cluster on loopback over http, and yopf's HTTP client for it.
    struct Served {
        let cluster: MemoryCluster
        let server: DevClusterServer
        let client: KubeClient

        static func start() async throws -> Served {
            let cluster = MemoryCluster()
            _ = try await cluster.create(WatcherIsolationTests.crds, namespace: nil, body: WatcherIsolationTests.crd)
            let server = DevClusterServer(backend: cluster, token: "isolation", tls: nil)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            let client = KubeClient(endpoint: ClusterEndpoint(server: "http://127.0.0.1:\(port)"), credentials: BearerToken("isolation"))
            return Served(cluster: cluster, server: server, client: client)
        }

        func stop() async { try? await server.stop() }
    }

    /// What a watcher reported, gathered by a task of its own.
    final class Seen: Sendable {
        let upserts = Mutex<[String]>([])
        let listed = Mutex<[Set<String>]>([])
        let reasons = Mutex<[String]>([])
        let skipped = Mutex<[UndecodableObject]>([])

        func names() -> Set<String> { Set(upserts.withLock { $0 }) }
    }

    static func watch(_ client: KubeClient, _ seen: Seen) -> Task<Void, Never> {
        var settings = WatchSettings()
        settings.onUndecodable = { object in seen.skipped.withLock { $0.append(object) } }
        let watcher = Watcher(api: client, gvr: things, namespace: "default", labelSelector: nil, settings: settings)
        return Task {
            for await event in watcher.events() {
                switch event {
                case .upsert(let object): seen.upserts.withLock { $0.append(object["metadata"]?["name"]?.string ?? "?") }
                case .listed(let keys): seen.listed.withLock { $0.append(Set(keys.map(\.name))) }
                case .restarted(let reason): seen.reasons.withLock { $0.append(reason) }
                case .deleted: break
                }
            }
        }
    }

    static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func anObject505LevelsDeepIsListedAndWatchedWithTheOthers() async throws {
        let s = try await Served.start()
        // Created over HTTP: the dev-cluster decodes the deep body too.
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("deep", depth: 505))
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("normal"))
        let seen = Seen()
        let task = Self.watch(s.client, seen)
        try await Self.waitUntil("both are listed") { seen.listed.withLock { $0.last == ["deep", "normal"] } }
        // Watched: changes of both arrive after the list.
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("later"))
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("deeper", depth: 2_000))
        try await Self.waitUntil("the new ones are watched") { seen.names().isSuperset(of: ["later", "deeper"]) }
        let deep = try await s.client.get(ObjectRef(Self.things, namespace: "default", name: "deep"))
        #expect(deep["spec"] == Self.thing("deep", depth: 505)["spec"])
        #expect(seen.skipped.withLock { $0.isEmpty })
        task.cancel()
        await s.stop()
    }

    /// An object the client cannot decode (`KubeClient.decodeList`/`decodeEvent` name it,
    /// UndecodableObjectTests; one deeper than the client reads cannot be stored in the
    /// dev-cluster, whose own code recurses over it) reaches the watcher as an entry beside
    /// the list's items and as an ERROR event of the watch: it is named and skipped, the
    /// others are served, and the watch does not fail over it.
    @Test func anObjectTheClientCannotDecodeIsSkippedAndTheOthersServed() async throws {
        let s = try await Served.start()
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("normal"))
        let poisoned = PoisonedAPI(base: s.client)
        let seen = Seen()
        var settings = WatchSettings()
        settings.onUndecodable = { object in seen.skipped.withLock { $0.append(object) } }
        let watcher = Watcher(api: poisoned, gvr: Self.things, namespace: "default", labelSelector: nil, settings: settings)
        let task = Task {
            for await event in watcher.events() {
                switch event {
                case .upsert(let object): seen.upserts.withLock { $0.append(object["metadata"]?["name"]?.string ?? "?") }
                case .listed(let keys): seen.listed.withLock { $0.append(Set(keys.map(\.name))) }
                case .restarted(let reason): seen.reasons.withLock { $0.append(reason) }
                case .deleted: break
                }
            }
        }
        try await Self.waitUntil("the normal one is listed") { seen.listed.withLock { $0.last == ["normal"] } }
        // In the watch: the poison event comes first, and what follows it arrives.
        _ = try await s.client.create(Self.things, namespace: "default", body: Self.thing("after"))
        try await Self.waitUntil("the one after the poison is watched") { seen.names().contains("after") }
        #expect(seen.skipped.withLock { $0.map(\.description) } == ["default/poison", "default/poison-2"])
        #expect(seen.reasons.withLock { $0.contains { $0.contains("skipped things default/poison, which cannot be decoded") } })
        #expect(!seen.names().contains("poison") && !seen.names().contains("poison-2"))
        #expect(!seen.reasons.withLock { $0.contains { $0.contains("failed") } })
        task.cancel()
        await s.stop()
    }
}

/// The HTTP client, with an undecodable object added to its list answers and one ERROR
/// event of an undecodable object at the start of its first watch, as the client makes them.
final class PoisonedAPI: KubeAPI {
    let base: KubeClient
    let watched = Mutex(false)

    init(base: KubeClient) { self.base = base }

    func resources() async throws -> [ResourceInfo] { try await base.resources() }
    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON { try await base.get(ref, subresource: subresource) }
    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        var page = try await base.list(gvr, namespace: namespace, options: options)
        page[UndecodableObject.listKey] = [UndecodableObject(namespace: "default", name: "poison", resourceVersion: nil,
                                                             reason: "item 1 cannot be decoded: nesting deeper than 10100 levels").json]
        return page
    }
    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await base.create(gvr, namespace: namespace, body: body, options: options)
    }
    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await base.update(ref, subresource: subresource, body: body, options: options)
    }
    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try await base.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }
    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON { try await base.delete(ref, options: options) }
    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        let inner = try await base.watch(gvr, namespace: namespace, options: options)
        let first = watched.withLock { done in
            defer { done = true }
            return !done
        }
        let version = options.resourceVersion
        return AsyncThrowingStream { continuation in
            let task = Task {
                if first {
                    continuation.yield(UndecodableObject(namespace: "default", name: "poison-2", resourceVersion: version,
                                                         reason: "MODIFIED event cannot be decoded: nesting deeper than 10100 levels").watchEvent)
                }
                do {
                    for try await event in inner { continuation.yield(event) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
