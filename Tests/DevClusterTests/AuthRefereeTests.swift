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
        let (status, output) = try await KubectlRefereeTests.run(["/bin/bash", Self.script, work.path], kubeconfig: kubeconfig)
        try await server.stop()
        #expect(status == 0, "auth-referee.sh failed:\n\(output)")
        #expect(output.contains("PASS rbac"), "\(output)")
    }
}
