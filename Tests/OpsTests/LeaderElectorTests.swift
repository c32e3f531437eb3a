import JSONValue
import Kube
import KubeMemory
import Logging
import Platform
import Testing

@testable import Ops

@Suite struct LeaderElectorTests {
    func settings(_ id: String) -> LeaderElector.Settings {
        var s = LeaderElector.Settings(name: "op-leader", namespace: "default", identity: id)
        s.leaseDuration = .milliseconds(1500)
        s.renewDeadline = .milliseconds(1000)
        s.retryPeriod = .milliseconds(100)
        return s
    }

    func poll(_ what: String, _ probe: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !probe() {
            if ContinuousClock.now > deadline { Issue.record("gave up waiting for \(what)"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func exactlyOneLeadsAndReleaseHandsOver() async throws {
        let cluster = MemoryCluster()
        let a = LeaderElector(api: cluster, settings: settings("a"), logger: Logger(label: "a"))
        let b = LeaderElector(api: cluster, settings: settings("b"), logger: Logger(label: "b"))
        let aWorking = Locked(false), bWorking = Locked(false)
        let ta = Task { await a.run(lead: { aWorking.set(true); while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }; aWorking.set(false) }) }
        try await poll("a leads") { a.isLeader && aWorking.value }
        let tb = Task { await b.run(lead: { bWorking.set(true); while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }; bWorking.set(false) }) }
        // b keeps campaigning while a renews: it must not lead.
        try await Task.sleep(for: .milliseconds(600))
        #expect(!b.isLeader)
        #expect(!bWorking.value)
        let lease = try await cluster.get(ObjectRef(LeaderElector.leases, namespace: "default", name: "op-leader"))
        #expect(lease["spec"]?["holderIdentity"] == "a")

        // a shuts down and releases: b takes over without waiting for expiry.
        ta.cancel()
        await ta.value
        await a.release()
        try await poll("b leads") { b.isLeader && bWorking.value }
        #expect(!aWorking.value)
        let after = try await cluster.get(ObjectRef(LeaderElector.leases, namespace: "default", name: "op-leader"))
        #expect(after["spec"]?["holderIdentity"] == "b")
        #expect(after["spec"]?["leaseTransitions"] == 1)
        tb.cancel()
        await tb.value
    }

    @Test func aDeadLeadersLeaseExpires() async throws {
        let cluster = MemoryCluster()
        // A lease held by a process that died (never renewed).
        _ = try await cluster.create(LeaderElector.leases, namespace: "default", body: [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "op-leader", "namespace": "default"],
            "spec": ["holderIdentity": "dead", "leaseDurationSeconds": 1, "renewTime": "2026-01-01T00:00:00.000000Z"],
        ], options: WriteOptions())
        let b = LeaderElector(api: cluster, settings: settings("b"), logger: Logger(label: "b"))
        let tb = Task { await b.run(lead: { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) } }) }
        #expect(!b.isLeader)
        try await poll("b takes over after the lease duration") { b.isLeader }
        tb.cancel()
        await tb.value
    }
}
