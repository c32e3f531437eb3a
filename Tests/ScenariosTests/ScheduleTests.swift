import Foundation
import JSONValue
import Kube
import KubeMemory
import Platform
import Scenarios
import Spec
import Testing

/// `on: schedule` handlers in virtual time: each minute for `* * * * *`, with lastRun and
/// nextRun in status; a run missed while no operator ran made up once (within
/// startingDeadline), never once per missed time.
@Suite struct ScheduleTests {
    static let widgets = GroupVersionResource(group: "test.yopf.dev", version: "v1", resource: "widgets")

    static func operatorYAML(cron: String, deadline: String = "") -> String {
        """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata: {name: ticker}
        spec:
          watch: {group: test.yopf.dev, version: v1, plural: widgets}
          crd:
            names: {kind: Widget}
            versions: [{name: v1}]
          handlers:
            - id: tick
              on: schedule
              cron: "\(cron)"
              \(deadline)
              steps:
                - name: count
                  status: {ticks: '${{ (.status.ticks // 0) + 1 }}'}
              result: '{reason: $reason}'
        """
    }

    func simulated(_ yaml: String, clock: VirtualClock = VirtualClock(wallMicroseconds: 1_780_000_000_000_000)) async throws -> SimulatedOperator {
        let result = OperatorLoader.load(yaml: yaml, file: "operator.yaml", folder: "/tmp")
        let loaded = try #require(result.loaded, "\(result.reportLines)")
        let sim = SimulatedOperator(loaded: loaded, clock: clock)
        try await sim.installCRD()
        return sim
    }

    func widget(_ sim: SimulatedOperator) async throws -> JSON {
        try await sim.cluster.get(ObjectRef(Self.widgets, namespace: "default", name: "w1"))
    }

    @Test func everyMinuteWithLastAndNextRunInStatus() async throws {
        // 2026-05-28T20:26:40Z: 20 s before a minute begins.
        let sim = try await simulated(Self.operatorYAML(cron: "* * * * *"))
        try await sim.start()
        _ = try await sim.cluster.create(Self.widgets, namespace: "default", body: [
            "apiVersion": "test.yopf.dev/v1", "kind": "Widget", "metadata": ["name": "w1"], "spec": [:],
        ])
        try await sim.settle()
        var w = try await widget(sim)
        #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["nextRun"] == "2026-05-28T20:27:00Z")
        #expect(w["status"]?["ticks"] == nil)
        try await sim.advance(by: .seconds(20))
        w = try await widget(sim)
        #expect(w["status"]?["ticks"] == 1)
        #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["lastRun"] == "2026-05-28T20:27:00Z")
        #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["nextRun"] == "2026-05-28T20:28:00Z")
        #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["lastResult"] == "Succeeded")
        #expect(w["status"]?["tick"]?["reason"] == "schedule")
        try await sim.advance(by: .seconds(180))
        w = try await widget(sim)
        #expect(w["status"]?["ticks"] == 4)
        #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["lastRun"] == "2026-05-28T20:30:00Z")
        await sim.stop()
    }

    @Test(arguments: [("", 1), ("startingDeadline: 10m", 0), ("startingDeadline: 3h", 1)])
    func aRunMissedWhileNoOperatorRanIsMadeUpOnce(deadline: String, madeUp: Int) async throws {
        let sim = try await simulated(Self.operatorYAML(cron: "0 * * * *", deadline: deadline))
        try await sim.start()
        _ = try await sim.cluster.create(Self.widgets, namespace: "default", body: [
            "apiVersion": "test.yopf.dev/v1", "kind": "Widget", "metadata": ["name": "w1"], "spec": [:],
        ])
        try await sim.advance(by: .seconds(3600))
        #expect(try await widget(sim)["status"]?["ticks"] == 1)
        // The operator is down for five hours: five runs are missed.
        await sim.kill()
        sim.clock.advance(by: .seconds(5 * 3600))
        try await sim.restart()
        let w = try await widget(sim)
        #expect(w["status"]?["ticks"] == .int(1 + madeUp), "made up once at most, never five times")
        if madeUp == 0 {
            #expect(w["status"]?["yopf"]?["schedules"]?["tick"]?["lastResult"]?.string?.hasPrefix("Missed") == true)
        }
        await sim.stop()
    }
}
