import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// `kubectl annotate … yopf.dev/retry=$(date +%s) --overwrite` runs a handler that failed
/// for good again; the annotation itself is no update.
@Suite struct RetryAnnotationTests {
    @Test func aNewRetryValueRerunsTheFailedHandlerOnly() async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: """
                - id: first
                  on: create
                  steps:
                    - run: {command: [sh, -c, 'echo x >> \(dir.path)/first']}
                - id: second
                  on: create
                  steps:
                    - run: {command: [sh, -c, 'echo x >> \(dir.path)/second; test -f \(dir.path)/fixed']}
                  retries: 0
                - id: changed
                  on: update
                  steps:
                    - run: {command: [sh, -c, 'echo x >> \(dir.path)/update']}
            """)
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("w1 is Degraded") { h.condition(try await h.get("w1"), "Degraded")?["status"] == "True" }
        #expect(h.condition(try await h.get("w1"), "Degraded")?["message"]?.string?.contains("yopf.dev/retry") == true)
        #expect(dir.count("second") == 1)
        // The cause is fixed outside the resource; the user asks for a re-run.
        FileManager.default.createFile(atPath: dir.path + "/fixed", contents: nil)
        _ = try await h.cluster.patch(h.ref("w1"), subresource: nil, type: .merge,
                                      body: ["metadata": ["annotations": ["yopf.dev/retry": "1"]]], options: WriteOptions())
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        #expect(dir.count("second") == 2)
        #expect(dir.count("first") == 1, "the handler that had succeeded does not run again")
        #expect(dir.count("update") == 0, "the annotation is not an update")
        #expect(h.condition(try await h.get("w1"), "Degraded")?["status"] == "False")
        // The same value again does nothing.
        _ = try await h.cluster.patch(h.ref("w1"), subresource: nil, type: .merge,
                                      body: ["metadata": ["labels": ["touched": "yes"]]], options: WriteOptions())
        try await h.waitUntil("the label update ran") { dir.count("update") == 1 }
        #expect(dir.count("second") == 2)
        await op.stop()
    }

    @Test func aDeleteHandlerThatFailedForGoodRunsOnceUntilAskedAgain() async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: """
                - id: cleanup
                  on: delete
                  retries: 0
                  steps:
                    - run: {command: [sh, -c, 'echo x >> \(dir.path)/cleanup; test -f \(dir.path)/fixed']}
            """)
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("the finalizer is on") { (try await h.get("w1"))?["metadata"]?["finalizers"]?.array?.isEmpty == false }
        try await h.delete("w1")
        try await h.waitUntil("w1 is Degraded") { h.condition(try await h.get("w1"), "Degraded")?["status"] == "True" }
        try await h.settle(.seconds(2))
        #expect(dir.count("cleanup") == 1, "a failed deletion does not loop")
        FileManager.default.createFile(atPath: dir.path + "/fixed", contents: nil)
        _ = try await h.cluster.patch(h.ref("w1"), subresource: nil, type: .merge,
                                      body: ["metadata": ["annotations": ["yopf.dev/retry": "now"]]], options: WriteOptions())
        try await h.waitUntil("w1 is gone") { try await h.get("w1") == nil }
        #expect(dir.count("cleanup") == 2)
        await op.stop()
    }
}
