import DevCluster
import Foundation
import JQ
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Lifecycle
import Logging
import Spec
import Testing

/// An operator loaded from YAML, its CRD installed in a fresh `MemoryCluster`, and helpers
/// to run it in-process, act on its objects and wait (bounded) for what should follow.
struct RuntimeHarness {
    static let group = "test.yopf.dev"
    static let plural = "widgets"
    static let gvr = GroupVersionResource(group: group, version: "v1", resource: plural)
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let events = GroupVersionResource(group: "", version: "v1", resource: "events")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    let cluster: MemoryCluster
    let loaded: LoadedOperator
    let namespace = "default"

    /// Loads `handlers` (the YAML list under `spec.handlers`, indented by 4) into an
    /// operator watching `widgets.test.yopf.dev`, and installs its CRD.
    init(handlers: String, filter: String? = nil, configuration: MemoryCluster.Configuration = .init(), folder: String = "/tmp") async throws {
        let yaml = """
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata:
              name: widgets
            spec:
              watch:
                group: \(Self.group)
                version: v1
                plural: \(Self.plural)
                kind: Widget
            \(filter.map { "    filter: '\($0)'" } ?? "")
              crd:
                names: {kind: Widget}
                versions:
                  - name: v1
              handlers:
            \(handlers)
            """
        try await self.init(yaml: yaml, configuration: configuration, folder: folder)
    }

    init(yaml: String, configuration: MemoryCluster.Configuration = .init(), folder: String = "/tmp", installCRD: Bool = true) async throws {
        let result = OperatorLoader.load(yaml: yaml, file: "operator.yaml", folder: folder)
        guard let loaded = result.loaded else {
            throw HarnessError("the test operator does not load:\n" + result.reportLines.joined(separator: "\n"))
        }
        self.loaded = loaded
        cluster = MemoryCluster(configuration: configuration)
        if installCRD {
            guard let crd = loaded.spec.crdManifest() else { throw HarnessError("the test operator declares no CRD") }
            _ = try await cluster.create(Self.crds, namespace: nil, body: crd)
        }
    }

    // MARK: Running

    func start(concurrency: Int = 4, counters: HandlerCounters = HandlerCounters(), api: (any KubeAPI)? = nil) -> RunningOperator {
        let runner = OperatorRunner(loaded: loaded, api: api ?? cluster, namespaces: [namespace], concurrency: concurrency,
                                    logger: Self.logger(), counters: counters)
        return RunningOperator(runner: runner, counters: counters)
    }

    /// An `ObjectProcessor` of this harness's operator, for tests that drive single passes
    /// instead of a running operator. Stop the recorder when done.
    func processor(counters: HandlerCounters) throws -> (ObjectProcessor, EventRecorder) {
        let info = try #require(cluster.resourceInfo(for: Self.gvr))
        let events = EventRecorder(api: cluster, component: "test")
        let processor = ObjectProcessor(spec: loaded, api: cluster, info: info, pool: JQPool(program: loaded.program, maxWorkers: 2),
                                        events: events, logger: Self.logger(), counters: counters)
        return (processor, events)
    }

    /// Silent unless `YOPF_TEST_LOG` is set (then debug logs go to stderr).
    static func logger() -> Logger {
        if ProcessInfo.processInfo.environment["YOPF_TEST_LOG"] != nil {
            var l = Logger(label: "yopf-test") { StreamLogHandler.standardError(label: $0) }
            l.logLevel = .debug
            return l
        }
        return Logger(label: "yopf-test") { _ in SwiftLogNoOpLogHandler() }
    }

    // MARK: Objects

    func ref(_ name: String) -> ObjectRef { ObjectRef(Self.gvr, namespace: namespace, name: name) }

    @discardableResult
    func create(_ name: String, spec: JSON, labels: JSON = [:]) async throws -> JSON {
        try await cluster.create(Self.gvr, namespace: namespace, body: [
            "apiVersion": .string(Self.gvr.apiVersion), "kind": "Widget",
            "metadata": ["name": .string(name), "labels": labels], "spec": spec,
        ])
    }

    @discardableResult
    func patchSpec(_ name: String, _ spec: JSON) async throws -> JSON {
        try await cluster.patch(ref(name), subresource: nil, type: .merge, body: ["spec": spec], options: WriteOptions())
    }

    func delete(_ name: String) async throws {
        _ = try await cluster.delete(ref(name))
    }

    /// The object, or nil when it is gone.
    func get(_ name: String) async throws -> JSON? {
        do { return try await cluster.get(ref(name)) } catch let e as KubeError where e.code == 404 { return nil }
    }

    func configMap(_ name: String) async throws -> JSON? {
        do { return try await cluster.get(ObjectRef(Self.configMaps, namespace: namespace, name: name)) }
        catch let e as KubeError where e.code == 404 { return nil }
    }

    func condition(_ object: JSON?, _ type: String) -> JSON? {
        object?["status"]?["conditions"]?.array?.first { $0["type"]?.string == type }
    }

    func isReady(_ name: String) async throws -> Bool {
        condition(try await get(name), "Ready")?["status"]?.string == "True"
    }

    func progress(_ object: JSON?, _ handler: String) -> JSON? {
        object?["status"]?["yopf"]?["progress"]?[handler]
    }

    /// Events in the namespace about one object.
    func events(about name: String) async throws -> [JSON] {
        let list = try await cluster.list(Self.events, namespace: namespace)
        return (list["items"]?.array ?? []).filter { $0["involvedObject"]?["name"]?.string == name }
    }

    /// Writes (create, update, patch, delete) to one object path, any subresource.
    func writes(resource: String, name: String) -> Int {
        cluster.requestCount { key in
            ["create", "update", "patch", "delete"].contains(key.verb) && key.resource == resource && key.name == name
        }
    }

    // MARK: Waiting

    /// Polls until `condition` holds, at most `limit` (generous: the machine is shared).
    func waitUntil(_ what: String, limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
                   _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        if try await condition() { return }
        Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
        throw HarnessError("timed out waiting until \(what)")
    }

    /// Lets the runtime work for a while when a test must show that nothing more happens.
    func settle(_ time: Duration = .milliseconds(500)) async throws {
        try await Task.sleep(for: time)
    }
}

/// One `OperatorRunner.run()` in a task of its own.
final class RunningOperator: Sendable {
    let runner: OperatorRunner
    let counters: HandlerCounters
    let task: Task<Void, any Error>

    init(runner: OperatorRunner, counters: HandlerCounters) {
        self.runner = runner
        self.counters = counters
        task = Task { try await runner.run() }
    }

    func successes(_ handler: String) -> Int { counters.count(handler: handler, outcome: "success") }
    func retries(_ handler: String) -> Int { counters.count(handler: handler, outcome: "retry") }
    func failures(_ handler: String) -> Int { counters.count(handler: handler, outcome: "failure") }

    /// Cancels the run (as SIGTERM does) and waits for it to return.
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A scratch folder for files that `run` steps write (counting their runs).
struct ScratchFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "yopf-runtime-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Lines in a file (0 when absent): how many times a step appended to it.
    func count(_ file: String) -> Int {
        guard let text = try? String(contentsOfFile: path + "/" + file, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").count
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension RuntimeHarness {
    /// Whether every named resource has Ready=True.
    func areReady(_ names: String...) async throws -> Bool {
        for n in names where !(try await isReady(n)) { return false }
        return true
    }
}

extension RuntimeHarness {
    /// The harness's cluster served over HTTP on loopback (the dev-cluster's front), and
    /// yopf's libcurl client for it: the path a real cluster takes.
    func served() async throws -> ServedCluster {
        let server = DevClusterServer(backend: cluster, token: "harness-token")
        let port = try await server.start(host: "127.0.0.1", port: 0)
        var options = ClientOptions()
        options.rateLimit = .fixed(qps: 0, burst: 1)
        let client = KubeClient(endpoint: ClusterEndpoint(server: "http://127.0.0.1:\(port)"), credentials: BearerToken("harness-token"), options: options)
        return ServedCluster(server: server, client: client)
    }
}

/// A harness cluster served over HTTP.
struct ServedCluster: Sendable {
    let server: DevClusterServer
    let client: KubeClient

    func stop() async { try? await server.stop() }
}
