import Foundation
import TestSupport
import Testing

/// `yopf plan` as a user runs it: the acceptance command, and the exit code and
/// message of a missing file or an object of another kind.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct PlanCommandTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    func run(_ arguments: [String]) async throws -> (Int32, String, String) {
        // No cluster reachable: the plan must not need one.
        let p = try YopfProcess(arguments, environment: ["KUBECONFIG": "/nonexistent"], currentDirectory: Self.root)
        defer { p.cleanUp() }
        #expect(await p.waitForExit(limit: .seconds(120)) != nil)
        return (p.process.terminationStatus, p.stdout, p.stderr)
    }

    @Test func theAcceptanceCommandShowsTheRotationWithBothPasswords() async throws {
        let (status, out, err) = try await run(["plan", "handlers/mysql", "--event", "update",
                                                "--old", "examples/mysql/plan/a.yaml", "--object", "examples/mysql/plan/b.yaml"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("""
                  command:
                  - mysqladmin
                  - --user=root
                  - --password=otuspassword
                  - --host=127.0.0.1
                  - --port=3306
                  - password
                  - n3w-s3cret
            """), "\(out)")
        #expect(!out.contains("mysql_on_create"))
        #expect(out.contains("- id: mysql_on_update\n  runs: true\n"))
    }

    /// docs/testing.md shows the acceptance command's output: it must be the real one.
    @Test func theDocumentedOutputIsTheRealOne() async throws {
        let doc = try String(contentsOfFile: Self.root + "/docs/testing.md", encoding: .utf8)
        let command = "yopf plan handlers/mysql --event update --old examples/mysql/plan/a.yaml --object examples/mysql/plan/b.yaml"
        #expect(doc.contains("```sh\n\(command)\n```"))
        let marker = "prints (exit code 0):\n\n```yaml\n"
        let start = try #require(doc.range(of: marker)?.upperBound)
        let end = try #require(doc.range(of: "\n```", range: start..<doc.endIndex)?.lowerBound)
        let (status, out, _) = try await run(command.split(separator: " ").dropFirst().map(String.init))
        #expect(status == 0)
        #expect(String(doc[start..<end]) + "\n" == out)
    }

    @Test func redactHidesThePasswords() async throws {
        let (status, out, _) = try await run(["plan", "handlers/mysql", "--redact",
                                              "--old", "examples/mysql/plan/a.yaml", "--object", "examples/mysql/plan/b.yaml"])
        #expect(status == 0)
        #expect(out.contains("- --password=***"))
        #expect(!out.contains("otuspassword") && !out.contains("n3w-s3cret"))
    }

    @Test func problemsExitWithOne() async throws {
        let (missing, _, missingErr) = try await run(["plan", "handlers/mysql", "--object", "examples/mysql/plan/none.yaml"])
        #expect(missing == 1)
        #expect(missingErr.contains("--object examples/mysql/plan/none.yaml: no such file"), "\(missingErr)")

        let (wrongKind, _, wrongErr) = try await run(["plan", "handlers/mysql", "--object", "handlers/certificates/samples/tenant.yaml"])
        #expect(wrongKind == 1)
        #expect(wrongErr.contains("is a yopf.dev/v1 Tenant, but handlers/mysql/operator.yaml watches otus.homework/v1 MySQL"), "\(wrongErr)")

        let (noCluster, _, noClusterErr) = try await run(["plan", "handlers/mysql", "--cluster", "--object", "handlers/mysql/samples/mysql.yaml"])
        #expect(noCluster == 1)
        #expect(noClusterErr.contains("--cluster"), "\(noClusterErr)")
    }
}
