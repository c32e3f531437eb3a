import JQ
import JSONValue
import Kube
import Lifecycle
import Logging
import Spec
import Steps

/// What the steps of a previewed handler share: the operator, its compiled expressions,
/// the API (offline: discovery only; with a cluster: reads and dry runs only), the
/// resource as the handler would see it, and how steps name it.
struct PreviewContext: Sendable {
    let loaded: LoadedOperator
    let pool: JQPool
    let api: any KubeAPI
    let resolver: ResourceResolver
    let owner: JSON
    let ownerInfo: ResourceInfo
    /// Reads run and writes are dry-run (`--cluster`).
    let cluster: Bool
    /// `--redact`.
    let maskSecrets: Bool
    /// The runtime's redactor for this resource: what it does to Event messages.
    let redactor: Redactor

    /// The environment the runtime gives the handler's steps: the same owner, field
    /// manager, operator name (the `yopf.dev/operator` label) and handler id (which Job
    /// names are derived from).
    func environment(handler: String, evaluator: Evaluator) -> StepEnvironment {
        var logger = Logger(label: "yopf.plan") { _ in MetadataOnlyLogHandler() }
        logger[metadataKey: "handler"] = .string(handler)
        let redactor = self.redactor
        return StepEnvironment(
            api: api, resolver: resolver, evaluator: evaluator, owner: owner, ownerInfo: ownerInfo,
            fieldManager: ObjectProcessor.fieldManagerName, operatorDirectory: loaded.folder, logger: logger,
            postEvent: { _, _, _ in }, redact: { redactor.redact($0) }, operatorName: loaded.spec.name)
    }

    /// `file:line:col` of an expression, for errors.
    func site(of id: ExpressionID) -> String? {
        guard loaded.expressions.indices.contains(id.index) else { return nil }
        let s = loaded.expressions[id.index]
        return "\(s.file):\(s.line):\(s.column)"
    }
}

/// A log handler that keeps metadata (the step code reads the handler id from it) and
/// prints nothing: a plan's output is the plan.
struct MetadataOnlyLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .critical

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {}
}
