import Foundation
import Testing

/// The MySQL example for real: examples/mysql/e2e-local.sh starts a local MariaDB and runs
/// the operator with `--dev-exec local` against it (create, password rotation, backup on
/// delete, restore on create, stream restore, no password in logs or Events).
@Suite struct MySQLLocalTests {
    /// The first of `names` found on PATH, if any.
    static func onPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    static let tools = ["mariadbd", "mariadb-install-db", "mysql", "mysqladmin", "mysqldump", "kubectl"]
    static var missing: [String] { tools.filter { !onPath($0) && !FileManager.default.isExecutableFile(atPath: "/usr/sbin/\($0)") } }

    /// The yopf binary built beside this test bundle (`swift build --build-tests` builds it).
    static var yopf: String? {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("yopf").path,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("yopf").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var skipReason: String? {
        if !missing.isEmpty { return "needs \(missing.joined(separator: ", ")): apt-get install -y mariadb-server (and kubectl)" }
        if getuid() != 0 { return "runs mariadbd --user=root: run the tests as root" }
        if yopf == nil { return "no yopf binary beside the test bundle: swift build --product yopf with the same scratch path" }
        return nil
    }

    @Test(.enabled(if: MySQLLocalTests.skipReason == nil, "\(MySQLLocalTests.skipReason ?? "")"))
    func createRotateBackupRestoreForReal() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExampleHarness.root + "/examples/mysql/e2e-local.sh")
        var env = ProcessInfo.processInfo.environment
        env["YOPF"] = Self.yopf
        env.removeValue(forKey: "KUBECONFIG")
        process.environment = env
        // Output to a file, not a pipe: Foundation's readDataToEndOfFile traps when a read
        // is interrupted (EINTR), which happens under load.
        let logPath = NSTemporaryDirectory() + "yopf-mysql-e2e-\(getpid()).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        try? log.close()
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "e2e-local.sh failed:\n\(text)")
        #expect(text.contains("PASS: create, failed and successful rotation, backup on delete, restore on create, stream restore"))
    }
}
