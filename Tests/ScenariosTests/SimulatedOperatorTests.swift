import Foundation
import JSONValue
import Kube
import KubeMemory
import Scenarios
import Spec
import Testing

/// The MySQL example on the simulated runtime: virtual time, workloads made ready at
/// once, Jobs finished by the test, commands answered and recorded — no ports, no
/// processes, no waiting in real time.
@Suite struct SimulatedOperatorTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()
    static let mysqls = GroupVersionResource(group: "otus.homework", version: "v1", resource: "mysqls")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    func load(_ folder: String) throws -> LoadedOperator {
        let (operators, diagnostics) = OperatorLoader.load(paths: [Self.root + "/" + folder])
        guard diagnostics.isEmpty, let op = operators.first else { throw ScenarioRuntimeError("cannot load \(folder): \(diagnostics)") }
        return op
    }

    @Test func theMySQLExampleThroughItsLifeInVirtualTime() async throws {
        let started = ContinuousClock.now
        let sim = SimulatedOperator(loaded: try load("handlers/mysql"))
        try await sim.installCRD()
        try await sim.start()
        let ref = ObjectRef(Self.mysqls, namespace: "default", name: "db1")
        _ = try await sim.cluster.create(Self.mysqls, namespace: "default", body: [
            "apiVersion": "otus.homework/v1", "kind": "MySQL", "metadata": ["name": "db1"],
            "spec": ["image": "mysql:5.7", "database": "otus", "password": "old-pass", "storage_size": "1Gi"],
        ])
        try await sim.settle()
        // The handler waits for the restore Job: fail it (no dump to restore).
        let jobs = try await sim.cluster.list(Self.jobs, namespace: "default")["items"]?.array ?? []
        let restore = try #require(jobs.first { ($0["metadata"]?["name"]?.string ?? "").hasPrefix("restore") })
        try await sim.failJob(namespace: "default", name: restore["metadata"]?["name"]?.string ?? "", message: "no dump", log: "nothing to restore")
        try await sim.settle()
        let created = try await sim.cluster.get(ref)
        #expect(created["status"]?["mysql_on_create"]?["message"] == "mysql-instance created without restore-job")
        #expect(created["status"]?["conditions"]?.array?.first { $0["type"] == "Ready" }?["status"] == "True")

        // Password rotation: the exact command, then scale 0 and 1.
        _ = try await sim.cluster.patch(ref, subresource: nil, type: .merge, body: ["spec": ["password": "new-pass"]], options: WriteOptions())
        try await sim.settle()
        let rotated = try await sim.cluster.get(ref)
        #expect(rotated["status"]?["mysql_on_update"]?["message"] == "password updated")
        let call = try #require(sim.commands.recorded.first { $0.argv.first == "mysqladmin" })
        #expect(call.argv == ["mysqladmin", "--user=root", "--password=old-pass", "--host=127.0.0.1", "--port=3306", "password", "new-pass"])

        // Delete: the backup Job must finish first; an hour of virtual time passes in no time.
        _ = try await sim.cluster.delete(ref)
        try await sim.advance(by: .seconds(60))
        #expect((try? await sim.cluster.get(ref)) != nil, "held by the finalizer while the backup runs")
        let backup = try #require((try await sim.cluster.list(Self.jobs, namespace: "default")["items"]?.array ?? [])
            .first { ($0["metadata"]?["name"]?.string ?? "").hasPrefix("backup") })
        try await sim.completeJob(namespace: "default", name: backup["metadata"]?["name"]?.string ?? "")
        try await sim.settle()
        await #expect(throws: KubeError.self) { _ = try await sim.cluster.get(ref) }
        await sim.stop()
        // No real time was spent waiting (a generous bound: the machine is shared).
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(sim.clock.elapsed >= .seconds(60))
    }
}
