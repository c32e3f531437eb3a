import Foundation
import TestSupport
import Testing

/// `yopf dev-cluster --authorization=rbac` as a process: anonymous requests are Forbidden,
/// the kubeconfig's admin token may do everything; by default it serves https, so that
/// kubectl sends that token.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct AuthDevClusterCommandTests {
    /// Starts `yopf dev-cluster ARGS --write-kubeconfig FILE`; returns the process and the
    /// kubeconfig's text once the server listens.
    static func start(_ arguments: [String], kubeconfig: String) async throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(YopfBinary.path))
        process.arguments = ["dev-cluster", "--listen", "127.0.0.1:0", "--write-kubeconfig", kubeconfig] + arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The kubeconfig appears once the server listens; poll for it (bounded).
        var text = ""
        for _ in 0..<500 where text.isEmpty {
            text = (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? ""
            if text.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        return (process, text)
    }

    @Test func rbacOverPlainHTTPWithNoTLS() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-devcluster-rbac-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        let (process, text) = try await Self.start(["--authorization=rbac", "--no-tls"], kubeconfig: kubeconfig)
        defer { if process.isRunning { process.terminate() } }
        #expect(text.contains("server: \"http://127.0.0.1:"))
        #expect(!text.contains("certificate-authority-data"))
        let lines = text.split(separator: "\n")
        let server = try #require(lines.first { $0.contains("server:") })
        let port = try #require(server.split(separator: ":").last.flatMap { Int($0.filter(\.isNumber)) })
        let tokenLine = try #require(lines.first { $0.contains("token:") })
        let token = try #require(tokenLine.split(separator: ":").last).filter { $0 != " " && $0 != "\"" }

        let anonymous = try RawHTTPConnection(port: port)
        try anonymous.send("GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await anonymous.readToEnd()
        #expect(anonymous.text.hasPrefix("HTTP/1.1 403 Forbidden"))
        #expect(anonymous.text.contains(#"User \"system:anonymous\" cannot list resource \"configmaps\""#))

        let admin = try RawHTTPConnection(port: port)
        try admin.send("GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        await admin.readToEnd()
        #expect(admin.text.hasPrefix("HTTP/1.1 200 OK"))
        process.terminate()
    }

    @Test(.enabled(if: Kubectl.path != nil, "kubectl is not installed"))
    func rbacServesHTTPSAndKubectlIsTheAdmin() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-devcluster-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        let (process, text) = try await Self.start(["--authorization=rbac"], kubeconfig: kubeconfig)
        defer { if process.isRunning { process.terminate() } }
        #expect(text.contains("server: \"https://127.0.0.1:"))
        #expect(text.contains("certificate-authority-data: "))

        let whoami = try await Self.kubectl(["auth", "whoami"], kubeconfig: kubeconfig, work: work.path)
        #expect(whoami.status == 0, "\(whoami.output)")
        #expect(whoami.output.contains("admin"))
        #expect(whoami.output.contains("system:masters"))
        let create = try await Self.kubectl(["create", "configmap", "made-over-https", "--from-literal=a=b"], kubeconfig: kubeconfig, work: work.path)
        #expect(create.status == 0, "\(create.output)")
        let can = try await Self.kubectl(["auth", "can-i", "delete", "secrets"], kubeconfig: kubeconfig, work: work.path)
        #expect(can.output.hasPrefix("yes"), "\(can.output)")
        process.terminate()
    }

    /// kubectl with its output in a file (a pipe read can be interrupted by other tests' signals).
    static func kubectl(_ arguments: [String], kubeconfig: String, work: String) async throws -> (status: Int32, output: String) {
        let (status, output) = try await AuthRefereeTests.runLogged(
            try #require(Kubectl.path), ["--kubeconfig", kubeconfig, "--cache-dir", work + "/cache", "--request-timeout=20s"] + arguments,
            log: work + "/kubectl-\(UUID().uuidString).log")
        return (status, output)
    }
}
