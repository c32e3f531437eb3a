import CoreMetrics
import Prometheus

/// The metrics yopf exports. Where a metric means what controller-runtime's or
/// client-go's does, it has their name and labels, so dashboards and alerts made for
/// kubebuilder operators work unchanged; handler-level metrics are `yopf_…`.
///
/// Recorded through swift-metrics; exported by swift-prometheus's registry.
public final class OperatorMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Bootstraps swift-metrics with a Prometheus registry (once per process).
    public static func bootstrap() -> OperatorMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return OperatorMetrics(registry: registry)
    }

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// The text exposition for `/metrics`.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: - Handler runs (yopf) and reconciles (controller-runtime)

    /// One handler run ended: `outcome` is success, retry or failure.
    public func handlerRun(operator name: String, kind: String, handler: String, outcome: String, seconds: Double) {
        Counter(label: "yopf_handler_runs_total", dimensions: [("operator", name), ("handler", handler), ("outcome", outcome)]).increment()
        if outcome == "retry" {
            Counter(label: "yopf_handler_retries_total", dimensions: [("operator", name), ("handler", handler)]).increment()
        }
        if outcome != "retry" || seconds > 0 {
            CoreMetrics.Timer(label: "yopf_handler_duration_seconds", dimensions: [("operator", name), ("handler", handler)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(seconds * 1e9))
        }
        let result = outcome == "success" ? "success" : outcome == "retry" ? "requeue_after" : "error"
        Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", kind), ("result", result)]).increment()
        if outcome != "success" {
            Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", kind)]).increment()
        }
        CoreMetrics.Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", kind)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    // MARK: - Work queue (client-go's workqueue metrics)

    public func queueDepth(_ name: String, _ depth: Int) {
        Gauge(label: "workqueue_depth", dimensions: [("name", name)]).record(depth)
    }

    public func queueAdd(_ name: String) {
        Counter(label: "workqueue_adds_total", dimensions: [("name", name)]).increment()
    }

    public func queueRetry(_ name: String) {
        Counter(label: "workqueue_retries_total", dimensions: [("name", name)]).increment()
    }

    public func objectsWatched(operator name: String, _ count: Int) {
        Gauge(label: "yopf_objects_watched", dimensions: [("operator", name)]).record(count)
    }

    public func watchRestart(operator name: String) {
        Counter(label: "yopf_watch_restarts_total", dimensions: [("operator", name)]).increment()
    }

    // MARK: - REST client (client-go)

    public func restRequest(method: String, code: Int, host: String, seconds: Double) {
        Counter(label: "rest_client_requests_total", dimensions: [("code", String(code)), ("host", host), ("method", method)]).increment()
        CoreMetrics.Timer(label: "rest_client_request_duration_seconds", dimensions: [("host", host), ("verb", method)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    public func rateLimiterWait(seconds: Double) {
        FloatingPointCounter(label: "yopf_rate_limiter_wait_seconds_total").increment(by: seconds)
    }

    // MARK: - Leader election

    public func leader(_ name: String, isLeader: Bool) {
        Gauge(label: "leader_election_master_status", dimensions: [("name", name)]).record(isLeader ? 1 : 0)
    }
}
