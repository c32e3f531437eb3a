import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Logging
import Spec
import Testing

@testable import Ops

/// `/metrics` is Prometheus text whose handler counters match the objects handled, and
/// `/readyz` answers only after the initial lists.
@Suite struct MetricsTests {
    static let yaml = """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata: {name: counted}
        spec:
          watch: {group: m.yopf.dev, version: v1, plural: things}
          crd: {names: {kind: Thing}, versions: [{name: v1}]}
          handlers:
            - id: make
              on: create
              steps:
                - status: {made: true}
        """

    @Test func handlerCountersMatchAndTheTextParses() async throws {
        let metrics = OperatorMetrics.bootstrap()
        let result = OperatorLoader.load(yaml: Self.yaml, file: "operator.yaml", folder: "/tmp")
        let loaded = try #require(result.loaded)
        let cluster = MemoryCluster()
        _ = try await cluster.create(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"),
                                     namespace: nil, body: try #require(loaded.spec.crdManifest()))
        let things = GroupVersionResource(group: "m.yopf.dev", version: "v1", resource: "things")
        for i in 0..<7 {
            _ = try await cluster.create(things, namespace: "default", body: [
                "apiVersion": "m.yopf.dev/v1", "kind": "Thing", "metadata": ["name": .string("t\(i)"), "namespace": "default"],
            ])
        }
        let counters = HandlerCounters { handler, outcome, seconds in
            metrics.handlerRun(operator: "counted", kind: "Thing", handler: handler, outcome: outcome, seconds: seconds)
        }
        let runner = OperatorRunner(loaded: loaded, api: cluster, namespaces: nil, concurrency: 2,
                                    logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }, counters: counters)
        #expect(!runner.isReady)
        let run = Task { try await runner.run() }
        defer { run.cancel() }
        let deadline = ContinuousClock.now + .seconds(30)
        while counters.count(handler: "make", outcome: "success") < 7, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(runner.isReady)
        metrics.queueDepth("counted", runner.queueDepth)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)

        // Every line is a comment or `name{labels} value`.
        let sample = #/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.eE+-]+|NaN|\+Inf$/#
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "not Prometheus text: \(line)")
        }
        #expect(text.contains(#"yopf_handler_runs_total{operator="counted",handler="make",outcome="success"} 7"#))
        #expect(text.contains(#"controller_runtime_reconcile_total{controller="Thing",result="success"} 7"#))
        #expect(text.contains("# TYPE yopf_handler_duration_seconds histogram"))
        #expect(text.contains(#"workqueue_depth{name="counted"}"#))
        run.cancel()
    }
}
