import DevCluster
import Foundation
import KubeMemory
import Testing

/// auth-referee.sh: kubectl and curl against a dev-cluster with RBAC on, on an ephemeral port.
@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed (looked in PATH and /usr/bin)"))
struct AuthRefereeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("auth-referee.sh").path

    @Test func rbacFlow() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-auth-referee-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let cluster = MemoryCluster(configuration: .init(authorization: .rbac))
        let server = DevClusterServer(backend: cluster, token: "referee-admin-token")
        let port = try await server.start(host: "127.0.0.1", port: 0)
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        try DevClusterServer.writeKubeconfig(path: kubeconfig, server: "http://127.0.0.1:\(port)", token: "referee-admin-token")
        let (status, output) = try await Self.run(Self.script, work: work.path, kubeconfig: kubeconfig)
        try await server.stop()
        #expect(status == 0, "auth-referee.sh failed:\n\(output)")
        #expect(output.contains("PASS rbac"), "\(output)")
    }

    static func run(_ script: String, work: String, kubeconfig: String) async throws -> (Int32, String) {
        try await runLogged("/bin/bash", [script, work], environment: ["KUBECONFIG": kubeconfig], log: work + "/output.log")
    }

    /// Runs a program with its output going to the file `log`, not a pipe: a blocking pipe
    /// read in this process can be interrupted (EINTR) by the signals of other tests' children.
    static func runLogged(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                          log: String) async throws -> (Int32, String) {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
