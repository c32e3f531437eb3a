import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// Faults of the API server (dropped watches, 410 Gone, 409 on the status write, 429 with
/// Retry-After, 500) are survived: every resource reaches Ready, each handled once.
@Suite struct FaultToleranceTests {
    static let handlers = """
            - id: make
              on: create
              backoff: {initial: 100ms, max: 200ms}
              steps:
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data: {made: 'yes'}
        """

    func allReady(_ h: RuntimeHarness, _ names: [String]) async throws {
        try await h.waitUntil("\(names.count) resources are Ready") {
            for n in names where !(try await h.isReady(n)) { return false }
            return true
        }
        for n in names { #expect(try await h.configMap(n) != nil, "child of \(n)") }
    }

    @Test func droppedWatches() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        let op = h.start()
        var names: [String] = []
        for i in 0..<12 {
            names.append("w\(i)")
            try await h.create("w\(i)", spec: [:])
            if i % 3 == 0 { h.cluster.dropAllWatches() }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await allReady(h, names)
        #expect(h.cluster.requestCount(verb: "watch", resource: "widgets") >= 2, "the watch was opened again")
        #expect(op.successes("make") == names.count)
        await op.stop()
    }

    @Test func watchDroppedAfterSomeEvents() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        h.cluster.addFault(FaultRule(verbs: ["watch"], resource: "widgets", times: 3, action: .dropWatch(afterEvents: 2)))
        let op = h.start()
        let names = (0..<8).map { "w\($0)" }
        for n in names { try await h.create(n, spec: [:]) }
        try await allReady(h, names)
        #expect(op.successes("make") == names.count)
        await op.stop()
    }

    @Test func expiredResourceVersionRelists() async throws {
        // A tiny history: a watch that comes back after a few writes gets 410 and relists.
        let h = try await RuntimeHarness(handlers: Self.handlers, configuration: .init(historySize: 3))
        let op = h.start()
        try await h.create("first", spec: [:])
        try await h.waitUntil("first is Ready") { try await h.isReady("first") }
        let listsBefore = h.cluster.requestCount(verb: "list", resource: "widgets")

        // The next watch request is slow; meanwhile many writes push its version out of history.
        h.cluster.addFault(FaultRule(verbs: ["watch"], resource: "widgets", times: 1, action: .latency(milliseconds: 400)))
        h.cluster.dropAllWatches()
        var names = ["first"]
        for i in 0..<8 {
            names.append("w\(i)")
            try await h.create("w\(i)", spec: [:])
        }
        try await allReady(h, names)
        #expect(h.cluster.requestCount(verb: "list", resource: "widgets") > listsBefore, "relisted after 410")
        #expect(op.successes("make") == names.count)
        await op.stop()
    }

    @Test(arguments: [409, 429, 500])
    func failingStatusWrites(_ code: Int) async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        h.cluster.addFault(FaultRule(verbs: ["patch"], resource: "widgets", subresource: "status", times: 3,
                                     action: .error(code: code, retryAfterSeconds: code == 429 ? 1 : nil)))
        let op = h.start()
        let names = (0..<4).map { "w\($0)" }
        for n in names { try await h.create(n, spec: [:]) }
        try await allReady(h, names)
        #expect(op.successes("make") == names.count)
        #expect(op.failures("make") == 0)
        await op.stop()
    }

    @Test func serverErrorsOnEveryVerb() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        h.cluster.addFault(FaultRule(verbs: ["list"], resource: "widgets", times: 2, action: .error(code: 500)))
        h.cluster.addFault(FaultRule(verbs: ["patch"], resource: "configmaps", times: 3, action: .error(code: 500)))
        h.cluster.addFault(FaultRule(verbs: ["watch"], resource: "widgets", times: 1, action: .error(code: 503)))
        h.cluster.addFault(FaultRule(verbs: ["patch"], resource: "configmaps", times: 2,
                                     action: .error(code: 429, retryAfterSeconds: 1)))
        let names = (0..<4).map { "w\($0)" }
        for n in names { try await h.create(n, spec: [:]) }
        let op = h.start()
        try await allReady(h, names)
        #expect(op.failures("make") == 0)
        await op.stop()
    }
}
