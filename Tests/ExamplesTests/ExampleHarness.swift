import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Logging
import Spec
import YAMLLoader

/// Runs one of the shipped handler sets against an in-memory cluster, as `yopf run`
/// does against the embedded one.
struct ExampleHarness {
    static let root: String = {
        // Tests/ExamplesTests/ExampleHarness.swift → the package root.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    let cluster: MemoryCluster
    let loaded: LoadedOperator
    let runner: OperatorRunner

    /// `api` chooses what the operator talks through (default: the cluster itself, as admin).
    init(handlers: String, cluster: MemoryCluster = MemoryCluster(), api: ((MemoryCluster) -> any KubeAPI)? = nil) throws {
        self.cluster = cluster
        let (operators, diagnostics) = OperatorLoader.load(paths: [Self.root + "/" + handlers])
        guard diagnostics.isEmpty, let op = operators.first else {
            throw HarnessError("cannot load \(handlers): \(diagnostics.map(\.description).joined(separator: "\n"))")
        }
        loaded = op
        runner = OperatorRunner(loaded: op, api: api?(cluster) ?? cluster, namespaces: nil, concurrency: 4, logger: Logger(label: "test"))
    }

    func installCRD() async throws {
        guard let crd = loaded.spec.crdManifest() else { throw HarnessError("the operator declares no CRD") }
        _ = try await cluster.create(Self.crds, namespace: nil, body: crd, options: WriteOptions())
    }

    /// Creates every object of a YAML file of the repository.
    func apply(file: String) async throws {
        for doc in try YAML.loadFile(atPath: Self.root + "/" + file) where !doc.value.isNull {
            let o = doc.value
            guard let info = cluster.resourceInfo(for: GroupVersionKind(apiVersion: o["apiVersion"]?.string ?? "", kind: o["kind"]?.string ?? "")) else {
                throw HarnessError("no resource for \(o["kind"] ?? .null)")
            }
            _ = try await cluster.create(info.gvr, namespace: info.namespaced ? (o["metadata"]?["namespace"]?.string ?? "default") : nil, body: o, options: WriteOptions())
        }
    }

    /// Polls `probe` until it returns a value (bounded), so tests wait for the operator
    /// without timing assumptions.
    func eventually<T>(_ what: String, seconds: Int = 60, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if let v = try await probe() { return v }
            } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("gave up waiting for \(what)\(lastError.map { ": \($0)" } ?? "")")
    }

    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension ExampleHarness {
    /// Starts the workload simulation (Deployments get Ready pods, Jobs run their
    /// containers through `runner`) and sends the cluster's exec and stream calls to it, as
    /// `yopf run` does with its embedded cluster. Stop it with `stop()` at the end.
    func startWorkloads(_ runner: any PodCommandRunner) -> WorkloadSimulator {
        let simulator = WorkloadSimulator(cluster: cluster, runner: runner, configuration: .init(podStartDelay: .milliseconds(20)))
        simulator.start()
        cluster.attachPodCommands(simulator)
        return simulator
    }
}
