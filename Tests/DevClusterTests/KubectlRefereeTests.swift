import DevCluster
import Foundation
import KubeMemory
import Testing

/// kubectl, the real client, against the dev-cluster: each flow of kubectl-referee.sh runs
/// against a fresh in-process server on an ephemeral port. Skipped without kubectl.
@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed (looked in PATH and /usr/bin)"))
struct KubectlRefereeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("kubectl-referee.sh").path

    @Test(arguments: ["crd", "crud", "patch", "apply", "server-side-apply", "status", "scale", "finalizer", "watch", "wait", "gc", "exec", "logs"])
    func flow(_ name: String) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-referee-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // Pod flows run the server as `yopf dev-cluster` does: pods come alive and run
        // scripted commands. The other flows check the API alone.
        let cluster = MemoryCluster()
        let simulator = ["exec", "logs"].contains(name) ? WorkloadSimulator(cluster: cluster) : nil
        if let simulator {
            simulator.start()
            cluster.attachPodCommands(simulator)
        }
        let server = DevClusterServer(backend: cluster, token: "referee-token")
        let port = try await server.start(host: "127.0.0.1", port: 0)
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        try DevClusterServer.writeKubeconfig(path: kubeconfig, server: "http://127.0.0.1:\(port)", token: "referee-token")

        let (status, output) = try await Self.run(["/bin/bash", Self.script, name, work.path], kubeconfig: kubeconfig)
        try await server.stop()
        await simulator?.stop()
        #expect(status == 0, "kubectl-referee.sh \(name) failed:\n\(output)")
        #expect(output.contains("PASS \(name)"), "\(output)")
    }

    /// Runs the script to completion off the cooperative pool, returning its exit status and output.
    static func run(_ arguments: [String], kubeconfig: String, extra: [String: String] = [:]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            var environment = ProcessInfo.processInfo.environment
            environment["KUBECONFIG"] = kubeconfig
            environment.merge(extra) { $1 }
            process.environment = environment
            // Output to a file, not a pipe: Foundation's readDataToEndOfFile traps when a
            // read is interrupted (EINTR), which happens under load.
            let logPath = NSTemporaryDirectory() + "yopf-referee-\(UUID().uuidString).log"
            FileManager.default.createFile(atPath: logPath, contents: nil)
            guard let log = FileHandle(forWritingAtPath: logPath) else {
                continuation.resume(throwing: CocoaError(.fileWriteUnknown))
                return
            }
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            // Spawning is slow under load (Foundation closes every descriptor in the child):
            // done on a Dispatch thread, so a dozen flows starting at once do not hold the
            // cooperative threads that the in-process servers answer on.
            DispatchQueue.global().async {
                do { try process.run() } catch { continuation.resume(throwing: error); return }
                process.waitUntilExit()
                try? log.close()
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(atPath: logPath)
                continuation.resume(returning: (process.terminationStatus, text))
            }
        }
    }
}

/// Where kubectl is, if anywhere.
enum Kubectl {
    static let path: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/kubectl" } + ["/usr/bin/kubectl"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}
