import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// `concurrency: {key, limit}`: runs with the same key never overlap beyond the limit,
/// across objects; those waiting say so in their status; other keys are not held up.
@Suite struct ConcurrencyGroupTests {
    static func handlers(_ dir: String) -> String {
        """
            - id: restore
              on: create
              concurrency: {key: .spec.server, limit: 1}
              steps:
                - run: {command: [sh, -c, 'echo "start $0 $(date +%s%N)" >> \(dir)/$1; sleep 0.4; echo "end $0 $(date +%s%N)" >> \(dir)/$1', '${{ .metadata.name }}', '${{ .spec.server }}']}
        """
    }

    @Test func runsWithTheSameKeyNeverOverlap() async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: Self.handlers(dir.path))
        let op = h.start(concurrency: 8)
        for i in 1...4 { try await h.create("a\(i)", spec: ["server": "db-a"]) }
        try await h.create("b1", spec: ["server": "db-b"])
        // Someone is waiting at some point, and says for what.
        try await h.waitUntil("a waiter shows why it waits") {
            for i in 1...4 {
                let c = h.condition(try await h.get("a\(i)"), "Progressing")
                if c?["reason"] == "WaitingForConcurrencySlot", c?["message"]?.string?.contains("db-a") == true { return true }
            }
            return false
        }
        try await h.waitUntil("all are Ready", limit: .seconds(60)) { try await h.areReady("a1", "a2", "a3", "a4", "b1") }
        let lines = ((try? String(contentsOfFile: dir.path + "/db-a", encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.count == 8)
        // Start/end pairs strictly alternate: never two running at once.
        var running = 0
        var maxRunning = 0
        for line in lines {
            running += line.hasPrefix("start") ? 1 : -1
            maxRunning = max(maxRunning, running)
        }
        #expect(maxRunning == 1, "\(lines)")
        #expect(op.successes("restore") == 5)
        await op.stop()
    }
}
