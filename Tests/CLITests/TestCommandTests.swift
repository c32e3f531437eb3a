import Foundation
import TestSupport
import Testing

/// `yopf test` as a user runs it: the shipped scenarios pass without opening a socket;
/// each mutation of the shipped handlers that the issue lists makes it exit 1 naming the
/// scenario's file:line with a diff; --run, --junit, -v, `yopf check` on scenario files,
/// and the exit codes.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct TestCommandTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    func run(_ arguments: [String], in directory: String = TestCommandTests.root) async throws -> (Int32, String) {
        let p = try YopfProcess(arguments, environment: ["KUBECONFIG": "/nonexistent"], currentDirectory: directory)
        defer { p.cleanUp() }
        #expect(await p.waitForExit(limit: .seconds(180)) != nil)
        return (p.process.terminationStatus, p.output)
    }

    /// Socket inodes among a process's open files.
    static func sockets(of pid: Int32) -> Set<String> {
        let dir = "/proc/\(pid)/fd"
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return Set(fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\($0)") }
            .filter { $0.hasPrefix("socket:") })
    }

    @Test func theShippedScenariosPassAndOpenNoSocket() async throws {
        let yopf = try #require(YopfBinary.path)
        let out = NSTemporaryDirectory() + "yopf-sockets-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        // bash closes what the test runner leaves open (its own sockets are inherited
        // across exec), then becomes yopf: every socket yopf holds is one it opened.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done; exec "$0" test handlers/mysql handlers/certificates >"$1" 2>&1"#, yopf, out]
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        // Sampled while it runs: a listening server would be open for the whole run. The
        // loop blocks its thread on purpose (usleep, no await): with every cooperative
        // thread busy with other suites, an awaiting loop would not run until yopf ended.
        var seen = Set<String>()
        var samples = 0
        while p.isRunning {
            let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
            if exe == yopf {
                seen.formUnion(Self.sockets(of: pid))
                samples += 1
            }
            usleep(2000)
        }
        p.waitUntilExit()
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0, "\(output)")
        #expect(samples > 10, "the run was sampled while it ran")
        #expect(seen.isEmpty, "sockets opened: \(seen)")
        #expect(output.contains("15 scenarios: 15 passed, 0 failed"), "\(output)")
        #expect(output.contains("ok   handlers/mysql/tests/rotate.yaml: password rotation ("))
    }

    /// The operators and the example files their scenarios include, copied so that one
    /// file can be changed.
    func copyOfTheExamples() throws -> String {
        let dir = NSTemporaryDirectory() + "yopf-mutation-\(UUID().uuidString)"
        for sub in ["handlers", "examples"] {
            try FileManager.default.copyItem(atPath: "\(Self.root)/\(sub)", toPath: "\(dir)/\(sub)")
        }
        return dir
    }

    static let mutations: [(name: String, file: String, from: String, to: String, failing: String)] = [
        ("a wrong mysqladmin argument", "handlers/mysql/operator.yaml", "- --user=root\n              - '--password=${{ $old", "- --user=admin\n              - '--password=${{ $old", "handlers/mysql/tests/rotate.yaml:"),
        ("the old password swapped for the new one", "handlers/mysql/operator.yaml", "'--password=${{ $old.spec.password }}'", "'--password=${{ .spec.password }}'", "handlers/mysql/tests/rotate.yaml:"),
        ("a scale step changed", "handlers/mysql/operator.yaml", "replicas: 0, wait: true}", "replicas: 1, wait: true}", "handlers/mysql/tests/rotate.yaml:"),
        ("a broken grouping expression", "handlers/certificates/operator.yaml", "group_by(registered_domain)", "group_by(.)", "handlers/certificates/tests/grouping.yaml:"),
        ("a broken prune filter", "handlers/certificates/operator.yaml", "any(.[]; . == $n) | not)", "any(.[]; . == $n))", "handlers/certificates/tests/prune.yaml:"),
        ("a flipped condition", "handlers/certificates/operator.yaml", "      when: .spec.managed != false\n      steps:\n        - name: existing", "      when: .spec.managed == false\n      steps:\n        - name: existing", "handlers/certificates/tests/grouping.yaml:"),
    ]

    @Test(arguments: 0..<6)
    func eachMutationOfTheHandlersFailsTheScenarios(index: Int) async throws {
        let m = Self.mutations[index]
        let dir = try copyOfTheExamples()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/\(m.file)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(m.from), "the mutation \(m.name) still applies to \(m.file)")
        try text.replacingOccurrences(of: m.from, with: m.to).write(toFile: path, atomically: true, encoding: .utf8)
        let (status, out) = try await run(["test", "handlers/mysql", "handlers/certificates"], in: dir)
        #expect(status == 1, "\(m.name): \(out)")
        // file:line:col, then a diff.
        let failure = out.split(separator: "\n").first { $0.hasPrefix(m.failing) }
        #expect(failure.map { $0.dropFirst(m.failing.count).prefix { $0 != ":" }.allSatisfy(\.isNumber) } == true, "\(m.name): \(out)")
        #expect(out.contains("  --- expected\n  +++ found\n  @@ "), "\(m.name): \(out)")
        #expect(out.contains("log of the step"))
    }

    /// An operator directory is what an image carries (`COPY handlers/mysql /operator`) and
    /// what a user copies to start their own: alone, away from this repository, its
    /// scenarios must still find every file they name, so `yopf check` and `yopf test` pass.
    @Test(arguments: ["mysql", "certificates"])
    func aShippedOperatorDirectoryIsSelfContained(_ name: String) async throws {
        let away = NSTemporaryDirectory() + "yopf-alone-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: away) }
        try FileManager.default.createDirectory(atPath: away, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.root + "/handlers/" + name, toPath: away + "/operator")
        let (checked, checkOutput) = try await run(["check", "operator"], in: away)
        #expect(checked == 0, "\(checkOutput)")
        #expect(checkOutput.contains("operator/tests/"), "\(checkOutput)")
        let (tested, testOutput) = try await run(["test", "operator"], in: away)
        #expect(tested == 0, "\(testOutput)")
        #expect(testOutput.contains(" 0 failed"), "\(testOutput)")
    }

    @Test func aFailureExitsOneWithItsPlaceAndWritesJUnit() async throws {
        let dir = try copyOfTheExamples()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/handlers/mysql/tests/create.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "equals: mysql-instance created without restore-job", with: "equals: mysql-instance created by hand")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let (status, out) = try await run(["test", "handlers/mysql", "--junit", "report.xml", "--run", "create"], in: dir)
        #expect(status == 1)
        #expect(out.contains("""
            handlers/mysql/tests/create.yaml:18:9: step 2 (failJob restore-db1-job): MySQL db1: .status.mysql_on_create.message is not as expected
              --- expected
              +++ found
              @@ -1,1 +1,1 @@
              -"mysql-instance created by hand"
              +"mysql-instance created without restore-job"
              log of the step:
            """), "\(out)")
        #expect(out.contains("2 scenarios: 1 passed, 1 failed"), "--run create: the two create scenarios only")
        let xml = try String(contentsOfFile: "\(dir)/report.xml", encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"handlers/mysql/tests/create.yaml\" tests=\"2\" failures=\"1\""), "\(xml)")
        #expect(xml.contains("<failure message=\"handlers/mysql/tests/create.yaml:18:9: MySQL db1: .status.mysql_on_create.message is not as expected\""))
    }

    @Test func runSelectsScenariosByNameAndVerbosePrintsTheTrace() async throws {
        let (status, out) = try await run(["test", "handlers/mysql/tests/rotate.yaml", "--run", "password rotation retried", "-v"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("1 scenario: 1 passed, 0 failed"))
        #expect(out.contains("  step 2 (line 47): patch MySQL mysql-instance"), "\(out)")
        #expect(out.contains("handler failed; will retry"), "the runtime's log, as it comes")
        let (none, message) = try await run(["test", "handlers/mysql", "--run", "no such scenario"])
        #expect(none == 1)
        #expect(message.contains("no scenario is named no such scenario"))
    }

    @Test func problemsInFilesExitOneFromTestAndCheck() async throws {
        let dir = NSTemporaryDirectory() + "yopf-bad-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/tests", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Self.root)/handlers/mysql/operator.yaml", toPath: "\(dir)/operator.yaml")
        try FileManager.default.copyItem(atPath: "\(Self.root)/handlers/mysql/templates", toPath: "\(dir)/templates")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "name: bad\nsteps:\n  - advance: 1m\n    expect:\n      - ran: [mysql_on_updat]\n      - object: {kind: Pod, name: p}\n        jq: '.a |'\n".write(toFile: "\(dir)/tests/bad.yaml", atomically: true, encoding: .utf8)
        let (status, out) = try await run(["test", dir])
        #expect(status == 1)
        #expect(out.contains("\(dir)/tests/bad.yaml:7:13: jq: "), "\(out)")
        let (checked, report) = try await run(["check", dir])
        #expect(checked == 1)
        #expect(report.contains("\(dir)/tests/bad.yaml:7:13: jq: "), "\(report)")
        try "name: bad\nsteps:\n  - advance: 1m\n    expect:\n      - ran: [mysql_on_updat]\n".write(toFile: "\(dir)/tests/bad.yaml", atomically: true, encoding: .utf8)
        let (again, names) = try await run(["check", "\(dir)/tests/bad.yaml"])
        #expect(again == 1)
        #expect(names.contains("\(dir)/tests/bad.yaml:5:9: no handler \"mysql_on_updat\""), "\(names)")
        let (ok, shipped) = try await run(["check", "handlers/mysql"])
        #expect(ok == 0, "\(shipped)")
        #expect(shipped.contains("handlers/mysql/tests/rotate.yaml: ok (2 scenarios, 5 steps)"))
        let (usage, _) = try await run(["test", "--junit"])
        #expect(usage == 64)
    }
}

/// The examples of docs/testing.md's `yopf test` section are real: the scenario shown is
/// the shipped file's, and the failure shown is what the mutation it describes prints.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct TestingDocsTests {
    static func section() throws -> String {
        let doc = try String(contentsOfFile: TestCommandTests.root + "/docs/testing.md", encoding: .utf8)
        let start = try #require(doc.range(of: "## yopf test\n"))
        let end = try #require(doc.range(of: "## yopf plan\n"))
        return String(doc[start.upperBound..<end.lowerBound])
    }

    static func blocks(_ text: String, fence: String) -> [String] {
        text.components(separatedBy: "```\(fence)\n").dropFirst().map { $0.components(separatedBy: "```\n")[0] }
    }

    @Test func theScenarioShownIsTheShippedOne() throws {
        let shown = try #require(Self.blocks(try Self.section(), fence: "yaml").first)
        let file = try String(contentsOfFile: TestCommandTests.root + "/handlers/mysql/tests/rotate.yaml", encoding: .utf8)
        #expect(file.components(separatedBy: "---\n")[0] == shown)
    }

    @Test func theFailureShownIsWhatTheMutationPrints() async throws {
        let shown = try #require(Self.blocks(try Self.section(), fence: "text").first)
        let dir = NSTemporaryDirectory() + "yopf-docs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["handlers", "examples"] {
            try FileManager.default.copyItem(atPath: "\(TestCommandTests.root)/\(sub)", toPath: "\(dir)/\(sub)")
        }
        let path = "\(dir)/handlers/mysql/operator.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "'--password=${{ $old.spec.password }}'", with: "'--password=${{ .spec.password }}'")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let p = try YopfProcess(["test", "handlers/mysql/tests/rotate.yaml", "--run", "password rotation"], currentDirectory: dir)
        defer { p.cleanUp() }
        #expect(await p.waitForExit(limit: .seconds(120)) != nil)
        #expect(p.process.terminationStatus == 1)
        // All but the first line (it holds the run's own timing).
        let lines = shown.split(separator: "\n").dropFirst().joined(separator: "\n")
        #expect(p.stdout.contains(lines), "\(p.stdout)")
        #expect(p.stdout.contains("FAIL handlers/mysql/tests/rotate.yaml: password rotation (2 steps, 2s virtual, "))
    }
}
