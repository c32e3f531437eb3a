import Kube
import Synchronization

/// Exec and logs on the in-memory cluster: commands go to the `PodCommandRunner` of the
/// `WorkloadSimulator` attached to the cluster (scripted in tests, local processes with
/// `yopf dev-cluster --exec=local`), with the checks and wording of kube-apiserver.
extension MemoryCluster: PodAccess {
    /// Sends this cluster's exec requests to `simulator` (which must simulate this cluster).
    /// The cluster keeps only a weak reference: the simulator holds the cluster, not the
    /// other way round.
    public func attachPodCommands(_ simulator: WorkloadSimulator) {
        PodCommandAttachments.shared.attach(simulator, to: self)
    }

    public func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        guard let simulator = PodCommandAttachments.shared.simulator(for: self) else {
            throw PodExecError("exec in pod \(request.pod): this in-memory cluster runs no pods; attach a WorkloadSimulator with attachPodCommands(_:)")
        }
        let input: any PodInput = stdin.map { ExecInputAdapter(input: $0) } ?? NoPodInput()
        do {
            let code = try await simulator.exec(
                namespace: request.namespace, pod: request.pod, container: request.container, command: request.command,
                stdin: input, stdout: ExecOutputAdapter(output: stdout), stderr: ExecOutputAdapter(output: stderr))
            return Int(code)
        } catch let e as PodCommandError {
            // What a container runtime says when the program is not there.
            throw PodExecError("exec in pod \(request.pod) failed: \(e.message)")
        }
    }

    public func logs(_ request: PodLogRequest) async throws -> String {
        let text = try podLogs(namespace: request.namespace, name: request.pod, container: request.container, tailLines: request.tailLines)
        guard let limit = request.limitBytes, text.utf8.count > limit else { return text }
        return String(decoding: text.utf8.prefix(max(0, limit)), as: UTF8.self)
    }
}

/// Which simulator runs the commands of which cluster.
private final class PodCommandAttachments: Sendable {
    static let shared = PodCommandAttachments()

    private final class Entry: Sendable {
        weak let simulator: WorkloadSimulator?
        init(_ simulator: WorkloadSimulator) { self.simulator = simulator }
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func attach(_ simulator: WorkloadSimulator, to cluster: MemoryCluster) {
        entries.withLock { e in
            e = e.filter { $0.value.simulator != nil }
            e[ObjectIdentifier(cluster)] = Entry(simulator)
        }
    }

    func simulator(for cluster: MemoryCluster) -> WorkloadSimulator? {
        // A live simulator keeps its cluster alive, so the identifier cannot have been reused.
        entries.withLock { $0[ObjectIdentifier(cluster)]?.simulator }.flatMap { $0.cluster === cluster ? $0 : nil }
    }
}

private struct ExecInputAdapter: PodInput {
    let input: PodExecInput
    func read() async throws -> [UInt8]? { try await input.read() }
}

private struct ExecOutputAdapter: PodOutput {
    let output: PodExecOutput
    func write(_ bytes: [UInt8]) async throws { try await output.write(bytes) }
}
