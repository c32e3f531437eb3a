import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// A delete handler of several steps runs each step exactly once per object — in process
/// and over HTTP with the libcurl client, where the watch lags behind the writes (the
/// events of a step's status write are still pending when the object goes; they must not
/// bring back the state before the finalizer was removed).
@Suite struct DeleteStepsOnceTests {
    static func handlers(_ dir: String) -> String {
        """
            - id: make
              on: create
              steps:
                - status: {made: true}
            - id: cleanup
              on: delete
              steps:
                - run: {command: [sh, -c, 'echo "$0" >> \(dir)/step1', '${{ .metadata.name }}']}
                - run: {command: [sh, -c, 'echo "$0" >> \(dir)/step2', '${{ .metadata.name }}']}
                - run: {command: [sh, -c, 'echo "$0" >> \(dir)/step3', '${{ .metadata.name }}']}
        """
    }

    @Test(arguments: [false, true])
    func eachStepRunsOncePerObject(overHTTP: Bool) async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: Self.handlers(dir.path))
        let served = overHTTP ? try await h.served() : nil
        let op = h.start(concurrency: 4, api: served?.client)
        let names = (1...5).map { "w\($0)" }
        for n in names { try await h.create(n, spec: [:]) }
        try await h.waitUntil("all are Ready") { try await h.areReady("w1", "w2", "w3", "w4", "w5") }
        for n in names { try await h.delete(n) }
        try await h.waitUntil("all are gone") {
            for n in names where try await h.get(n) != nil { return false }
            return true
        }
        // Let late events arrive and be handled (they must do nothing).
        try await h.settle(.seconds(2))
        for step in ["step1", "step2", "step3"] {
            let lines = (try? String(contentsOfFile: dir.path + "/" + step, encoding: .utf8)) ?? ""
            let counts = Dictionary(grouping: lines.split(separator: "\n").map(String.init), by: { $0 }).mapValues(\.count)
            #expect(counts == Dictionary(uniqueKeysWithValues: names.map { ($0, 1) }), "\(step): \(counts)")
        }
        #expect(op.successes("cleanup") == 5)
        await op.stop()
        await served?.stop()
    }
}
