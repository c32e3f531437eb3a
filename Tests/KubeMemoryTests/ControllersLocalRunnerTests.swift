import Foundation
import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct ControllersLocalRunnerTests {
    @Test func runsALocalProcessWithStreams() async throws {
        let runner = LocalPodCommandRunner()
        let out = CollectedPodOutput(), err = CollectedPodOutput()
        let command = PodCommand(pod: ["metadata": ["name": "p"]], container: "c",
                                 argv: ["sh", "-c", "echo \"$GREETING\"; cat; echo bad >&2; exit 4"],
                                 environment: ["GREETING": "hello"])
        let code = try await runner.run(command, stdin: BytesPodInput("from stdin\n"), stdout: out, stderr: err)
        #expect(code == 4)
        #expect(out.text == "hello\nfrom stdin\n")
        #expect(err.text == "bad\n")
    }

    @Test func streamsLargeInputThrough() async throws {
        let out = CollectedPodOutput()
        let input = BytesPodInput([UInt8](repeating: 120, count: 8_000_000), chunkSize: 32_768)
        let code = try await LocalPodCommandRunner().run(PodCommand(pod: .emptyObject, container: "c", argv: ["wc", "-c"]),
                                                         stdin: input, stdout: out, stderr: DiscardedPodOutput())
        #expect(code == 0)
        #expect(out.text.trimmingCharacters(in: .whitespacesAndNewlines) == "8000000")
    }

    @Test func aMissingProgramIsACommandError() async throws {
        await #expect(throws: PodCommandError.self) {
            _ = try await LocalPodCommandRunner().run(PodCommand(pod: .emptyObject, container: "c", argv: ["/nonexistent/yopf-test"]),
                                                      stdin: NoPodInput(), stdout: DiscardedPodOutput(), stderr: DiscardedPodOutput())
        }
    }

    @Test func aCommandThatExitsEarlyDoesNotWaitForItsInput() async throws {
        let input = BytesPodInput([UInt8](repeating: 1, count: 4_000_000))
        let code = try await LocalPodCommandRunner().run(PodCommand(pod: .emptyObject, container: "c", argv: ["sh", "-c", "exit 0"]),
                                                         stdin: input, stdout: DiscardedPodOutput(), stderr: DiscardedPodOutput())
        #expect(code == 0)
    }

    @Test func jobContainersRunLocally() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yopf-local-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withSimulator(runner: LocalPodCommandRunner()) { cluster, _ in
            var body = job("backup")
            body.set(.array([["name": "main", "image": "mysql",
                              "command": ["sh", "-c", .string("echo \"dump of $DB\" > \(dir)/x.sql; echo done")],
                              "env": [["name": "DB", "value": "shop"]]]]),
                     at: ["spec", "template", "spec", "containers"])
            _ = try await cluster.create(W.jobs, namespace: "default", body: body)
            #expect(try await eventually { condition(try await cluster.get(ref(W.jobs, "backup")), "Complete") != nil })
            #expect(try String(contentsOfFile: "\(dir)/x.sql", encoding: .utf8) == "dump of shop\n")
            let pod = try #require(try await items(cluster, R.pods).first)
            #expect(try cluster.podLogs(namespace: "default", name: pod["metadata"]?["name"]?.string ?? "") == "done\n")
        }
    }
}
