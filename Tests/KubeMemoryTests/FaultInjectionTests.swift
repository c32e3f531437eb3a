import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct FaultInjectionTests {
    let cluster = MemoryCluster()

    @Test func errorFaultsFireTheGivenNumberOfTimes() async throws {
        cluster.addFault(FaultRule(verbs: ["create"], resource: "configmaps", times: 2, action: .error(code: 429, retryAfterSeconds: 3)))
        let first = await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a")) }
        #expect(first?.code == 429 && first?.status["details"]?["retryAfterSeconds"] == 3)
        #expect(await kubeError { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a")) }?.code == 429)
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        #expect(cluster.requestCount(verb: "create", resource: "configmaps") == 3)
    }

    @Test func conflictAndInternalErrorsAndMatchingByName() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("b"))
        cluster.addFault(FaultRule(verbs: ["patch"], name: "a", action: .error(code: 409)))
        cluster.addFault(FaultRule(verbs: ["get"], action: .error(code: 500)))
        #expect(await kubeError { _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: [:], options: WriteOptions()) }?.code == 409)
        _ = try await cluster.patch(ref(R.configmaps, "b"), subresource: nil, type: .merge, body: [:], options: WriteOptions())
        #expect(await kubeError { _ = try await cluster.get(ref(R.configmaps, "b")) }?.code == 500)
        cluster.clearFaults()
        _ = try await cluster.get(ref(R.configmaps, "b"))
    }

    @Test func probabilityZeroNeverFires() async throws {
        cluster.addFault(FaultRule(verbs: ["list"], probability: 0, action: .error(code: 500)))
        for _ in 0..<20 { _ = try await cluster.list(R.configmaps) }
    }

    @Test func latencyStillServes() async throws {
        cluster.addFault(FaultRule(verbs: ["get"], action: .latency(milliseconds: 5)))
        #expect(try await cluster.get(ref(R.namespaces, "default", nil)).objectName == "default")
    }

    @Test func dropWatchEndsStreamAfterNEvents() async throws {
        cluster.addFault(FaultRule(verbs: ["watch"], resource: "configmaps", times: 1, action: .dropWatch(afterEvents: 2)))
        let stream = try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: cluster.currentResourceVersion, timeoutSeconds: 30))
        for i in 0..<4 { _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("x\(i)")) }
        let events = try await drain(stream)
        #expect(events.map(\.object.objectName) == ["x0", "x1"])
    }

    @Test func rulesLoadFromFileShape() throws {
        let json = try JSON.parse("""
        {"faults": [
          {"verb": "patch", "resource": "mysqls", "subresource": "status", "times": 2, "error": {"code": 429, "retryAfterSeconds": 1}},
          {"verbs": ["create", "update"], "probability": 0.5, "error": {"code": 500, "message": "etcd"}},
          {"verb": "get", "latencyMilliseconds": 200},
          {"verb": "watch", "dropWatchAfterEvents": 3}
        ]}
        """)
        let rules = try FaultRule.load(from: json)
        #expect(rules.count == 4)
        #expect(rules[0] == FaultRule(verbs: ["patch"], resource: "mysqls", subresource: "status", times: 2, action: .error(code: 429, retryAfterSeconds: 1)))
        #expect(rules[1].probability == 0.5 && rules[1].verbs == ["create", "update"])
        #expect(rules[2].action == .latency(milliseconds: 200))
        #expect(rules[3].action == .dropWatch(afterEvents: 3))
        #expect(throws: FaultRule.LoadError.self) { try FaultRule.load(from: ["faults": [["verb": "explode", "latencyMilliseconds": 1]]]) }
        #expect(throws: FaultRule.LoadError.self) { try FaultRule.load(from: [["verb": "get"]]) }
    }

    @Test func requestCountsPerObject() async throws {
        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap("a"))
        for _ in 0..<3 { _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: [:], options: WriteOptions()) }
        _ = try await cluster.patch(ref(R.configmaps, "a"), subresource: nil, type: .merge, body: [:], options: WriteOptions(), context: RequestContext(user: "alice"))
        #expect(cluster.requestCount { $0.verb == "patch" && $0.name == "a" } == 4)
        #expect(cluster.requestCounts()[RequestKey(verb: "create", resource: "configmaps", namespace: "default", name: "a")] == 1)
    }
}

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersAndWatchersLoseNoEvents() async throws {
        let cluster = MemoryCluster(configuration: .init(watchBufferSize: 100_000))
        let start = cluster.currentResourceVersion
        let writers = 8, perWriter = 50
        let watchers = try await (0..<3).asyncMap { _ in
            try await cluster.watch(R.configmaps, namespace: nil, options: WatchOptions(resourceVersion: start, timeoutSeconds: 60))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter {
                        let name = "w\(w)-\(i)"
                        _ = try await cluster.create(R.configmaps, namespace: "default", body: configMap(name))
                        _ = try await cluster.patch(ref(R.configmaps, name), subresource: nil, type: .merge, body: ["data": ["n": .string(String(i))]], options: WriteOptions())
                    }
                }
            }
            try await group.waitForAll()
        }
        let expected = writers * perWriter * 2
        for stream in watchers {
            let events = try await take(expected, from: stream)
            #expect(events.count == expected)
            let rvs = events.compactMap { Int($0.object.objectResourceVersion) }
            #expect(rvs == rvs.sorted() && Set(rvs).count == expected)
        }
        let list = try await cluster.list(R.configmaps)
        #expect(list["items"]?.array?.count == writers * perWriter)
    }
}

extension Sequence {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}
