import Foundation
import Testing

/// `yopf dev-cluster` as a process: it serves, writes the kubeconfig, and exits 0 on
/// SIGTERM and SIGINT. Needs the yopf binary built beside the test bundle (`swift test`
/// builds it); skipped otherwise.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct DevClusterCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func servesThenExitsZeroOnSignal(_ signal: Int32) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-devcluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(YopfBinary.path))
        process.arguments = ["dev-cluster", "--listen", "127.0.0.1:0", "--write-kubeconfig", kubeconfig]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The kubeconfig appears once the server listens; poll for it (bounded).
        var text = ""
        for _ in 0..<500 where text.isEmpty {
            text = (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? ""
            if text.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        let server = try #require(text.split(separator: "\n").first { $0.contains("server:") })
        #expect(server.contains("http://127.0.0.1:"))
        #expect(text.contains("current-context: yopf-dev"))
        let port = try #require(server.split(separator: ":").last.flatMap { Int($0.filter(\.isNumber)) })
        let connection = try RawHTTPConnection(port: port)
        try connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await connection.readToEnd()
        #expect(connection.text.hasPrefix("HTTP/1.1 200 OK"))

        kill(process.processIdentifier, signal)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                c.resume()
            }
        }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test func badListenAddressIsAClearError() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(YopfBinary.path))
        process.arguments = ["dev-cluster", "--listen", "localhost"]
        // To a file: readDataToEndOfFile on a pipe traps on EINTR under load.
        let logPath = NSTemporaryDirectory() + "yopf-devcluster-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try #require(FileHandle(forWritingAtPath: logPath))
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? log.close()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus != 0)
        #expect(output.contains("--listen must be HOST:PORT"))
    }
}

/// The yopf executable built in the same directory as the running test bundle, or the one
/// `YOPF_BINARY` names (CI runs these tests again with the static binary).
enum YopfBinary {
    static let path: String? = {
        if let given = ProcessInfo.processInfo.environment["YOPF_BINARY"], !given.isEmpty { return given }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The bundle may be a directory (…/yopfPackageTests.xctest/…) on some platforms.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("yopf").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()
}
