import Foundation
import Testing

/// `yopf dev-cluster --authorization=rbac` as a process: anonymous requests are Forbidden,
/// the kubeconfig's admin token may do everything.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct AuthDevClusterCommandTests {
    @Test func rbacFlagTurnsAuthorizationOn() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-devcluster-rbac-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(YopfBinary.path))
        process.arguments = ["dev-cluster", "--listen", "127.0.0.1:0", "--write-kubeconfig", kubeconfig, "--authorization=rbac"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The kubeconfig appears once the server listens; poll for it (bounded).
        var text = ""
        for _ in 0..<500 where text.isEmpty {
            text = (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? ""
            if text.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
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
}
