import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct WatchTests {
    @Test func initialEventsThenLiveInOrder() async throws {
        let cluster = MemoryCluster()
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let stream = try await cluster.watch(R.configmaps, namespace: "default", options: WatchOptions(timeoutSeconds: 30))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("b"))
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["k": "2"]], options: WriteOptions())
        _ = try await cluster.delete(ref(R.configmaps, "b"))
        let events = try await take(4, from: stream)
        #expect(events.map(\.type) == [.added, .added, .modified, .deleted])
        #expect(events.map(\.object.objectName) == ["a", "b", "a", "b"])
        let rvs = events.dropFirst().compactMap { Int($0.object.objectResourceVersion) }
        #expect(rvs == rvs.sorted())
    }

    @Test func resumeFromResourceVersion() async throws {
        let cluster = MemoryCluster()
        let a = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("b"))
        _ = try await cluster.create(R.secrets, namespace: "default", body: ["metadata": ["name": "s"]])
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: a.objectResourceVersion, timeoutSeconds: 30))
        let events = try await take(1, from: stream)
        #expect(events.map(\.object.objectName) == ["b"])
    }

    @Test func tooOldResourceVersionGives410() async throws {
        let cluster = MemoryCluster(configuration: .init(historySize: 3))
        let first = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        for i in 0..<5 { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("x\(i)")) }
        let events = try await drain(try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: first.objectResourceVersion, timeoutSeconds: 30)))
        #expect(events.count == 1)
        #expect(events.first?.type == .error)
        #expect(events.first?.object["code"] == 410)
        #expect(events.first?.object["reason"] == "Expired")
        #expect(events.first?.object["message"]?.string?.hasPrefix("too old resource version: \(first.objectResourceVersion) (") == true)
    }

    @Test func selectorTransitionsBecomeAddedAndDeleted() async throws {
        let cluster = MemoryCluster()
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a", labels: ["app": "web"]))
        let stream = try await cluster.watch(R.configmaps, namespace: "default", options: WatchOptions(resourceVersion: cluster.currentResourceVersion, labelSelector: "app=web", timeoutSeconds: 30))
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["metadata": ["labels": ["app": "db"]]], options: WriteOptions())
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["q": "1"]], options: WriteOptions())
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["metadata": ["labels": ["app": "web"]]], options: WriteOptions())
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: ["data": ["q": "2"]], options: WriteOptions())
        let events = try await take(3, from: stream)
        #expect(events.map(\.type) == [.deleted, .added, .modified])
    }

    @Test func bookmarksAfterInitialEventsAndPeriodically() async throws {
        let cluster = MemoryCluster(configuration: .init(bookmarkInterval: .milliseconds(20)))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(allowBookmarks: true, timeoutSeconds: 30))
        let events = try await take(3, from: stream)
        #expect(events.map(\.type) == [.added, .bookmark, .bookmark])
        let bookmark = events[1].object
        #expect(bookmark["kind"] == "ConfigMap" && bookmark["apiVersion"] == "v1")
        #expect(bookmark["metadata"]?["resourceVersion"]?.string == cluster.currentResourceVersion)
        #expect(bookmark["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == "true")
    }

    @Test func timeoutEndsTheStream() async throws {
        let cluster = MemoryCluster()
        let events = try await drain(try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 1)))
        #expect(events.isEmpty)
    }

    @Test func dropAllWatchesEndsStreams() async throws {
        let cluster = MemoryCluster()
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 30))
        #expect(cluster.openWatchCount == 1)
        cluster.dropAllWatches()
        #expect(try await drain(stream).isEmpty)
        #expect(cluster.openWatchCount == 0)
    }

    @Test func slowWatcherIsEndedWith410InsteadOfBlockingWriters() async throws {
        let cluster = MemoryCluster(configuration: .init(watchBufferSize: 5))
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 30))
        for i in 0..<20 { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("x\(i)")) }
        let events = try await drain(stream)
        #expect(events.last?.type == .error)
        #expect(events.last?.object["code"] == 410)
        #expect(events.dropLast().allSatisfy { $0.type == .added })
        #expect(events.count < 20)
        #expect(cluster.openWatchCount == 0)
    }

    @Test func watchOnlySeesItsNamespace() async throws {
        let cluster = MemoryCluster()
        let stream = try await cluster.watch(R.configmaps, namespace: "kube-system", options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 30))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        _ = try await cluster.create(R.configmaps, namespace: "kube-system", body: configMap("b", namespace: "kube-system"))
        #expect(try await take(1, from: stream).map(\.object.objectName) == ["b"])
    }
}
