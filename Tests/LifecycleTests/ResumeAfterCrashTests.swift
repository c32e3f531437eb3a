import Foundation
import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Synchronization
import Testing

/// A process that stops or dies in the middle of a multi-step handler: the next process
/// continues at the step the progress names, and no finished step runs twice.
@Suite struct ResumeAfterCrashTests {
    /// Three `run` steps, each appending a line to its own file; step 2 first notes that it
    /// started, then waits for the file `go` (so that a test can act while it runs).
    static func handlers(_ dir: String) -> String {
        """
            - id: three
              on: create
              steps:
                - run: {command: [sh, -c, 'echo x >> \(dir)/step1']}
                - run: {command: [sh, -c, 'echo x >> \(dir)/step2-started; while [ ! -f \(dir)/go ]; do sleep 0.05; done; echo x >> \(dir)/step2']}
                - run: {command: [sh, -c, 'echo x >> \(dir)/step3']}
        """
    }

    @Test func killedBetweenStepsContinuesAtTheNextStep() async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        FileManager.default.createFile(atPath: dir.path + "/go", contents: nil)
        let h = try await RuntimeHarness(handlers: Self.handlers(dir.path))
        // The first process dies right after its progress write for step 1 reached the API.
        let dying = KillableAPI(h.cluster) { patch in patch["status"]?["yopf"]?["progress"]?["three"]?["step"] == 1 }
        let first = h.start(api: dying)
        try await h.create("w1", spec: [:])
        try await h.waitUntil("the first process died") { dying.isDead }
        await first.stop()
        let saved = try await h.get("w1")
        #expect(h.progress(saved, "three")?["step"] == 1)
        #expect(dir.count("step1") == 1)
        #expect(dir.count("step2") == 0)

        let second = h.start()
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        #expect(dir.count("step1") == 1, "a finished step does not run again")
        #expect(dir.count("step2") == 1)
        #expect(dir.count("step3") == 1)
        #expect(second.successes("three") == 1)
        // The same cycle, continued (not a second one); once finished, its record is purged.
        let done = try await h.get("w1")
        #expect(saved?["status"]?["yopf"]?["cycle"]?["id"] == 1)
        #expect(done?["status"]?["yopf"]?["lastCycle"] == 1)
        #expect(h.progress(done, "three") == nil)
        await second.stop()
    }

    @Test func stoppedProcessFinishesTheRunningStepOnly() async throws {
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: Self.handlers(dir.path))
        let first = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("step 2 runs") { dir.count("step2-started") == 1 }
        #expect(h.progress(try await h.get("w1"), "three")?["step"] == 1)

        // SIGTERM while step 2 runs: step 2 finishes, its progress is kept, step 3 waits.
        first.task.cancel()
        FileManager.default.createFile(atPath: dir.path + "/go", contents: nil)
        await first.stop()
        #expect(dir.count("step2") == 1)
        #expect(dir.count("step3") == 0, "a stopping process starts no new step")
        #expect(h.progress(try await h.get("w1"), "three")?["step"] == 2)

        let second = h.start()
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        #expect(dir.count("step1") == 1)
        #expect(dir.count("step2-started") == 1)
        #expect(dir.count("step2") == 1)
        #expect(dir.count("step3") == 1)
        await second.stop()
    }

    @Test func resumeHandlersRunOncePerProcessStart() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  steps:
                    - status: {made: true}
                - id: again
                  on: resume
                  steps:
                    - status: {resumed: true}
            """)
        try await h.create("a", spec: [:])
        try await h.create("b", spec: [:])
        let first = h.start()
        try await h.waitUntil("both are Ready") { try await h.areReady("a", "b") }
        try await h.settle()
        #expect(first.successes("make") == 2)
        #expect(first.successes("again") == 0)
        await first.stop()

        for _ in 0..<2 {
            let next = h.start()
            try await h.waitUntil("resume ran for both") { next.successes("again") == 2 }
            try await h.settle()
            #expect(next.successes("again") == 2, "once per object per process")
            #expect(next.successes("make") == 0)
            #expect(try await h.get("a")?["status"]?["resumed"] == true)
            await next.stop()
        }
    }
}

/// The API as a process sees it until it is killed: the write that `killAfter` picks
/// reaches the server, then the process is gone — every later call fails and open watches
/// deliver nothing more (not even the event of that write).
final class KillableAPI: KubeAPI {
    let inner: MemoryCluster
    let killAfter: @Sendable (JSON) -> Bool
    private let dead = Atomic<Bool>(false)

    init(_ inner: MemoryCluster, killAfter: @escaping @Sendable (JSON) -> Bool) {
        self.inner = inner
        self.killAfter = killAfter
    }

    var isDead: Bool { dead.load(ordering: .sequentiallyConsistent) }

    struct Killed: Error {}

    private func alive() throws { if isDead { throw Killed() } }

    func resources() async throws -> [ResourceInfo] { try alive(); return try await inner.resources() }
    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try alive(); return try await inner.get(ref, subresource: subresource)
    }
    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try alive(); return try await inner.list(gvr, namespace: namespace, options: options)
    }
    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive(); return try await inner.create(gvr, namespace: namespace, body: body, options: options)
    }
    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive(); return try await inner.update(ref, subresource: subresource, body: body, options: options)
    }
    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive()
        if killAfter(body) {
            // Dead before the write's watch event exists, so no open watch passes it on.
            dead.store(true, ordering: .sequentiallyConsistent)
            _ = try await inner.patch(ref, subresource: subresource, type: type, body: body, options: options)
            throw Killed()
        }
        return try await inner.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }
    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        try alive(); return try await inner.delete(ref, options: options)
    }
    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try alive()
        let upstream = try await inner.watch(gvr, namespace: namespace, options: options)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in upstream {
                        if self.isDead { break }
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
