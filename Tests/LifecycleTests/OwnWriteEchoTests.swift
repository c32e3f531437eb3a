import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Reactor
import Testing

/// The watch echo of yopf's own last write of an object costs no pass (it was the CPU
/// spent on every object of a backlog, twice over: a copy of the body and a pass that
/// found nothing to do), while any other body of the object still does. Driven through a
/// fed run, so that each event is delivered exactly when the test says.
@Suite struct OwnWriteEchoTests {
    static let handlers = WriteCountTests.create + """

            - id: grow
              on: update
              field: spec.size
              steps:
                - status: {grown: true}
        """

    @Test func ownEchoIsDroppedOtherBodiesAreNot() async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        let run = h.start()
        let fed = try await run.runner.startFed()
        defer { Task { await fed.kill() } }

        let created = try await h.create("w1", spec: ["size": 1])
        fed.deliver(.upsert(created))
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        try await h.waitUntil("the pass ended") { fed.isQuiescent(parkedOnClock: 0) }
        let afterCreate = fed.passes
        #expect(afterCreate >= 1)

        // What yopf's status write left, as the watch would bring it back.
        let echo = try #require(try await h.get("w1"))
        fed.deliver(.upsert(echo))
        try await h.waitUntil("nothing is due or running") { fed.isQuiescent(parkedOnClock: 0) }
        #expect(fed.passes == afterCreate, "the echo of our own write was handed to a pass")

        // The same object one write later (someone else's) is an event like any other.
        let changed = try await h.patchSpec("w1", ["size": 2])
        fed.deliver(.upsert(changed))
        try await h.waitUntil("the update ran") { try await h.get("w1")?["status"]?["grown"] == true }
        #expect(fed.passes > afterCreate)
    }
}
