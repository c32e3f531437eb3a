import Foundation
import TestSupport
import Testing

/// The MySQL example for real, against a local MariaDB: examples/mysql/e2e-local.sh runs
/// the operator with `--dev-exec local` (create, password rotation, backup on delete,
/// restore on create, stream restore, no password in logs or Events); e2e-rbac.sh runs it
/// from its generated manifests as its ServiceAccount.
@Suite struct MySQLLocalTests {
    /// The first of `names` found on PATH, if any.
    static func onPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    static let tools = ["mariadbd", "mariadb-install-db", "mysql", "mysqladmin", "mysqldump", "kubectl"]
    static var missing: [String] { tools.filter { !onPath($0) && !FileManager.default.isExecutableFile(atPath: "/usr/sbin/\($0)") } }

    /// The yopf binary built beside this test bundle (`swift build --build-tests` builds it),
    /// or the one `YOPF_BINARY` names (CI runs these tests again with the static binary).
    static var yopf: String? { YopfBinary.path }

    static var skipReason: String? {
        if !missing.isEmpty { return "needs \(missing.joined(separator: ", ")): apt-get install -y mariadb-server (and kubectl)" }
        if getuid() != 0 { return "runs mariadbd --user=root: run the tests as root" }
        if yopf == nil { return "no yopf binary beside the test bundle: swift build --product yopf with the same scratch path" }
        return nil
    }

    @Test(.enabled(if: MySQLLocalTests.skipReason == nil, "\(MySQLLocalTests.skipReason ?? "")"))
    func createRotateBackupRestoreForReal() throws {
        let (status, text) = try Self.run("examples/mysql/e2e-local.sh")
        #expect(status == 0, "e2e-local.sh failed:\n\(text)")
        #expect(text.contains("PASS: create, failed and successful rotation, backup on delete, restore on create, stream restore"))
    }

    /// examples/mysql/e2e-rbac.sh: `yopf manifests | kubectl apply -f -` on an https
    /// dev-cluster with RBAC on, the operator as its ServiceAccount (a token from
    /// `kubectl create token`), then one generated rule removed → Forbidden.
    @Test(.enabled(if: MySQLLocalTests.skipReason == nil, "\(MySQLLocalTests.skipReason ?? "")"))
    func generatedManifestsAreEnoughOverHTTPSAndOneRuleLessIsForbidden() throws {
        let (status, text) = try Self.run("examples/mysql/e2e-rbac.sh")
        #expect(status == 0, "e2e-rbac.sh failed:\n\(text)")
        #expect(text.contains("PASS: generated manifests applied with kubectl; the operator as its ServiceAccount handled create, update and delete; without one rule: Forbidden in status and an Event"))
    }

    /// Runs a script of the repository with the built yopf; its exit status and output.
    static func run(_ script: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExampleHarness.root + "/" + script)
        var env = ProcessInfo.processInfo.environment
        env["YOPF"] = Self.yopf
        env.removeValue(forKey: "KUBECONFIG")
        process.environment = env
        // Output to a file, not a pipe: Foundation's readDataToEndOfFile traps when a read
        // is interrupted (EINTR), which happens under load.
        // One file per run: the two tests run in parallel (a per-process name made one read the
        // other's file, or find it removed).
        let logPath = NSTemporaryDirectory() + "yopf-mysql-e2e-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        try? log.close()
        return (process.terminationStatus, (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }
}
