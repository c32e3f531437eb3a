import JSONValue
import Kube
import Testing
@testable import KubeMemory

enum W {
    static let replicasets = GroupVersionResource(group: "apps", version: "v1", resource: "replicasets")
    static let statefulsets = GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
}

/// A cluster with a running simulator; stopped when `body` returns or throws.
func withSimulator(
    runner: any PodCommandRunner = ScriptedPodCommandRunner(),
    _ body: (MemoryCluster, WorkloadSimulator) async throws -> Void
) async throws {
    let cluster = MemoryCluster()
    let simulator = WorkloadSimulator(cluster: cluster, runner: runner,
                                      configuration: .init(podStartDelay: .milliseconds(5)))
    simulator.start()
    do {
        try await body(cluster, simulator)
    } catch {
        await simulator.stop()
        throw error
    }
    await simulator.stop()
}

/// Polls `check` until it holds, at most `tries` times (bounded, not timed: the bound is
/// far beyond what the simulation needs).
func eventually(tries: Int = 1_000, _ check: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<tries {
        if try await check() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return false
}

func items(_ cluster: MemoryCluster, _ gvr: GroupVersionResource, _ namespace: String = "default") async throws -> [JSON] {
    try await cluster.list(gvr, namespace: namespace)["items"]?.array ?? []
}

func condition(_ object: JSON, _ type: String) -> JSON? {
    (object["status"]?["conditions"]?.array ?? []).first { $0["type"]?.string == type }
}

func job(_ name: String, annotations: JSON? = nil, backoffLimit: Int? = nil, command: [String]? = nil) -> JSON {
    var container: JSON = ["name": "main", "image": "busybox"]
    if let command { container["command"] = .array(command.map { .string($0) }) }
    var o: JSON = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
                   "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [container]]]]]
    if let annotations { o.set(annotations, at: ["metadata", "annotations"]) }
    if let backoffLimit { o.set(.int(backoffLimit), at: ["spec", "backoffLimit"]) }
    return o
}

func statefulSet(_ name: String, replicas: Int) -> JSON {
    ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name)],
     "spec": ["replicas": .int(replicas), "serviceName": .string(name), "selector": ["matchLabels": ["app": .string(name)]],
              "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "db", "image": "mysql:8"]]]]]]
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct ControllersSupportTests {
    @Test func durationsParse() {
        #expect(Workload.duration("2s") == .seconds(2))
        #expect(Workload.duration("500ms") == .milliseconds(500))
        #expect(Workload.duration("1m") == .seconds(60))
        #expect(Workload.duration(" 3 ") == .seconds(3))
        #expect(Workload.duration("soon") == nil)
        #expect(Workload.duration("-1s") == nil)
    }

    @Test func environmentReferencesExpand() {
        let env = ["A": "x", "B": "y"]
        #expect(ContainerEnvironment.expand("-p$(A)$(B)", env) == "-pxy")
        #expect(ContainerEnvironment.expand("$$(A) $(C)", env) == "$(A) $(C)")
        #expect(ContainerEnvironment.expand("cost $5", env) == "cost $5")
    }

    @Test func logTails() {
        #expect(PodLogStore.tail("a\nb\nc\n", lines: 2) == "b\nc\n")
        #expect(PodLogStore.tail("a\nb\nc", lines: 1) == "c")
        #expect(PodLogStore.tail("a\nb\n", lines: 0) == "")
        #expect(PodLogStore.tail("a\nb\n", lines: nil) == "a\nb\n")
    }

    @Test func followingALogGetsWhatWasWrittenThenWhatComesUntilTheEnd() async {
        let store = PodLogStore()
        #expect(store.follow(uid: "u", container: "c") == nil, "nothing to follow before the container starts")
        store.start(uid: "u", container: "c")
        store.append(uid: "u", container: "c", Array("one\n".utf8))
        guard let (sofar, next) = store.follow(uid: "u", container: "c") else { Issue.record("no follower"); return }
        #expect(sofar == Array("one\n".utf8))
        store.append(uid: "u", container: "c", Array("two\n".utf8))
        store.append(uid: "u", container: "other", Array("not this one\n".utf8))
        store.end(uid: "u", container: "c")
        store.append(uid: "u", container: "c", Array("after the end\n".utf8))
        var received: [UInt8] = []
        for await bytes in next { received += bytes }
        #expect(String(decoding: received, as: UTF8.self) == "two\n")

        // A terminated container: its log, and the stream is already over.
        guard let (all, over) = store.follow(uid: "u", container: "c") else { Issue.record("no log"); return }
        #expect(String(decoding: all, as: UTF8.self) == "one\ntwo\nafter the end\n")
        var more = 0
        for await _ in over { more += 1 }
        #expect(more == 0)
    }

    @Test func deletingThePodEndsItsFollowers() async {
        let store = PodLogStore()
        store.start(uid: "u", container: "c")
        guard let (_, next) = store.follow(uid: "u", container: "c") else { Issue.record("no follower"); return }
        store.append(uid: "u", container: "c", Array("x".utf8))
        store.remove(uid: "u")
        var received: [UInt8] = []
        for await bytes in next { received += bytes }
        #expect(received == Array("x".utf8))
        #expect(store.log(uid: "u", container: "c") == nil)
    }

    @Test func templateHashIsStableAndChangesWithTheTemplate() {
        let a: JSON = ["spec": ["containers": [["name": "c", "image": "x"]]]]
        let b: JSON = ["spec": ["containers": [["name": "c", "image": "y"]]]]
        #expect(Workload.templateHash(a) == Workload.templateHash(a))
        #expect(Workload.templateHash(a) != Workload.templateHash(b))
        #expect(Workload.templateHash(a).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }
}
