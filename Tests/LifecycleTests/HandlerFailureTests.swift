import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// A resource that makes its handler fail: the failure is in its progress, Warning Events
/// are posted, the handler is retried with backoff until `retries` are used up (or, for a
/// failure only a change of the resource can fix, not at all), then the resource is
/// Degraded — while another resource of the same run becomes Ready.
@Suite struct HandlerFailureTests {
    enum Failure: String, CaseIterable, Sendable {
        /// A jq expression fails on the resource's own data: the same input gives the same
        /// error, so it fails for good at once.
        case jqErrorOnTheResource
        /// A jq expression fails on what an earlier step read: the cluster may change, so
        /// it is retried.
        case jqErrorOnAStepOutput
        /// A `fail` step.
        case failStep
        /// The API refuses the child (403).
        case forbidden

        var permanent: Bool { self == .jqErrorOnTheResource }
    }

    static let handlers = """
            - id: make
              on: create
              retries: 2
              backoff: {initial: 100ms, max: 200ms, factor: 2}
              steps:
                - fail: {message: 'refusing ${{ .metadata.name }}'}
                  if: '.spec.refuse == true'
                - name: source
                  get: {apiVersion: v1, kind: ConfigMap, name: 'source-${{ .metadata.name }}', optional: true}
                - apply:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: '${{ .metadata.name }}'}
                    data:
                      n: '${{ .spec.n | tonumber | tostring }}'
                      m: '${{ ($steps.source.data.m // "0") | tonumber | tostring }}'
        """

    @Test(arguments: Failure.allCases)
    func failingResourceIsRetriedThenDegraded(_ failure: Failure) async throws {
        let h = try await RuntimeHarness(handlers: Self.handlers)
        var badSpec: JSON = ["n": "1"]
        let expected: String
        switch failure {
        case .jqErrorOnTheResource:
            badSpec = ["n": "not a number"]
            expected = "tonumber"
        case .jqErrorOnAStepOutput:
            _ = try await h.cluster.create(RuntimeHarness.configMaps, namespace: h.namespace, body: [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "source-bad"], "data": ["m": "not a number"],
            ])
            expected = "tonumber"
        case .failStep:
            badSpec["refuse"] = true
            expected = "refusing bad"
        case .forbidden:
            h.cluster.addFault(FaultRule(verbs: ["patch"], resource: "configmaps", name: "bad",
                                         action: .error(code: 403, message: "configmaps \"bad\" is forbidden: not allowed")))
            expected = "forbidden"
        }
        let op = h.start()
        try await h.create("bad", spec: badSpec)
        try await h.create("good", spec: ["n": "7"])

        try await h.waitUntil("bad is Degraded") { h.condition(try await h.get("bad"), "Degraded")?["status"] == "True" }
        try await h.waitUntil("good is Ready") { try await h.isReady("good") }
        let bad = try await h.get("bad")
        let record = try #require(h.progress(bad, "make"))
        #expect(record["message"]?.string?.contains(expected) == true, "message: \(record["message"] ?? .null)")
        #expect(record["failure"] == true)
        #expect(record["success"] == false)
        let attempts = failure.permanent ? 1 : 3
        #expect(record["retries"] == .int(attempts), "the first attempt and the retries failed")
        #expect(h.condition(bad, "Ready")?["status"] == "False")
        #expect(h.condition(bad, "Degraded")?["message"]?.string?.contains("make") == true)
        #expect(op.retries("make") == attempts - 1)
        #expect(op.failures("make") == 1)
        #expect(op.successes("make") == 1, "the good resource")
        #expect(try await h.configMap("good")?["data"]?["n"] == "7")

        try await h.waitUntil("Warning events are posted") {
            let events = try await h.events(about: "bad")
            return (failure.permanent || events.contains { $0["type"] == "Warning" && $0["reason"] == "HandlerRetrying" })
                && events.contains { $0["type"] == "Warning" && $0["reason"] == "HandlerFailed" }
        }
        let failed = try await h.events(about: "bad").first { $0["reason"] == "HandlerFailed" }
        #expect(failed?["message"]?.string?.contains(expected) == true)
        if failure.permanent {
            #expect(try await h.events(about: "bad").filter { $0["reason"] == "HandlerRetrying" }.isEmpty)
        } else {
            try await h.waitUntil("the two retries are one Event with count 2") {
                let retrying = try await h.events(about: "bad").filter { $0["reason"] == "HandlerRetrying" }
                return retrying.count == 1 && retrying[0]["count"] == 2
            }
        }

        // Exhausted (or permanent): no more attempts.
        try await h.settle()
        #expect(op.retries("make") == attempts - 1)
        #expect(op.failures("make") == 1)
        await op.stop()
    }

    @Test func permanentFailureIsNotRetried() async throws {
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  retries: 5
                  backoff: {initial: 100ms, max: 200ms}
                  steps:
                    - fail: {message: 'cannot ever work', permanent: true}
            """)
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("w1 is Degraded") { h.condition(try await h.get("w1"), "Degraded")?["status"] == "True" }
        let record = h.progress(try await h.get("w1"), "make")
        #expect(record?["retries"] == 1)
        #expect(record?["message"] == "cannot ever work")
        try await h.settle()
        #expect(op.retries("make") == 0)
        #expect(op.failures("make") == 1)
        await op.stop()
    }

    @Test func aFixedSpecHandlesAgainAfterRetries() async throws {
        // A failing create keeps retrying (no `retries` limit) until the user fixes the spec.
        let h = try await RuntimeHarness(handlers: """
                - id: make
                  on: create
                  backoff: {initial: 100ms, max: 100ms}
                  steps:
                    - fail: {message: 'not yet'}
                      if: '.spec.ready != true'
                    - status: {made: true}
            """)
        let op = h.start()
        try await h.create("w1", spec: ["ready": false])
        try await h.waitUntil("a few retries") { op.retries("make") >= 2 }
        #expect(h.condition(try await h.get("w1"), "Ready")?["status"] == "False")
        try await h.patchSpec("w1", ["ready": true])
        try await h.waitUntil("w1 is Ready") { try await h.isReady("w1") }
        #expect(try await h.get("w1")?["status"]?["made"] == true)
        #expect(op.successes("make") == 1)
        await op.stop()
    }

    @Test func failingTimerIsRetriedWithBackoff() async throws {
        // Without a retry of its own, a failed timer would wait for its next interval (1h).
        let dir = try ScratchFolder()
        defer { dir.remove() }
        let h = try await RuntimeHarness(handlers: """
                - id: check
                  on: timer
                  interval: 1h
                  initialDelay: 0s
                  backoff: {initial: 100ms, max: 100ms}
                  steps:
                    - run: {command: [sh, -c, 'echo x >> \(dir.path)/runs; [ $(wc -l < \(dir.path)/runs) -ge 3 ]']}
            """)
        let op = h.start()
        try await h.create("w1", spec: [:])
        try await h.waitUntil("the timer succeeded on its third run") { op.successes("check") == 1 }
        #expect(dir.count("runs") == 3)
        #expect(op.retries("check") == 2)
        let record = h.progress(try await h.get("w1"), "check")
        #expect(record?["success"] == true)
        #expect(record?["retries"] == 2)
        await op.stop()
    }
}
