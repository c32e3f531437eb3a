/// The fields each part of an operator file may have: the schema that unknown-field
/// errors and their "did you mean" hints are checked against. Types, required fields
/// and allowed values are checked where each part is read (`SpecReader+*.swift`);
/// docs/operator-file.md describes the same schema for people.
enum Schema {
    static let document = ["apiVersion", "kind", "metadata", "spec"]
    static let metadata = ["name", "labels", "annotations"]
    static let spec = ["watch", "handlers", "serviceAccount", "crd", "rbac", "settings", "owns", "resync", "concurrency"]
    static let watch = ["group", "version", "plural", "kind", "namespaced", "selector", "filter"]
    static let selector = ["matchLabels", "matchExpressions"]
    static let requirement = ["key", "operator", "values"]
    static let crd = ["scope", "names", "versions"]
    static let crdVersion = [
        "name", "served", "storage", "schema", "subresources", "additionalPrinterColumns", "deprecated",
        "deprecationWarning", "selectableFields",
    ]
    static let rbacRule = ["apiGroups", "resources", "verbs", "resourceNames"]
    static let settings = ["concurrency", "finalizer"]
    static let handler = [
        "id", "on", "field", "when", "retries", "backoff", "timeout", "interval", "initialDelay", "serviceAccount",
        "concurrency", "cron", "timeZone", "startingDeadline", "steps", "result",
    ]
    static let backoff = ["initial", "max", "factor"]
    static let owned = ["apiVersion", "kind", "selector"]
    static let concurrency = ["key", "limit"]

    static let stepCommon = ["name", "if", "forEach", "timeout", "onError"]
    static let stepKinds = StepKind.allCases.map(\.rawValue)

    /// Options written beside the kind key (the kinds whose value is a manifest or a path,
    /// so options cannot go inside it).
    static func stepOptions(_ kind: StepKind) -> [String] {
        switch kind {
        case .apply: return ["ifExists", "namespace"]
        case .create: return ["ifExists", "namespace"]
        case .job: return ["wait", "cleanup", "namespace"]
        default: return []
        }
    }

    static let allStepOptions = ["ifExists", "namespace", "wait", "cleanup"]

    static let target = ["apiVersion", "kind", "name", "namespace"]
    static let patch = target + ["merge", "json"]
    static let delete = target + ["wait"]
    static let get = target + ["optional"]
    static let list = ["apiVersion", "kind", "namespace", "selector"]
    static let scale = target + ["replicas", "wait"]
    static let wait = target + ["condition", "until"]
    static let exec = ["pod", "container", "command", "expectExitCodes"]
    static let pod = ["name", "selector"]
    static let stream = exec + ["stdin"]
    static let stdin = ["value", "secretKey", "configMapKey", "file", "fromExec"]
    static let keyReference = ["name", "key"]
    static let fromExec = ["pod", "container", "command", "expectExitCodes"]
    static let event = ["type", "reason", "message"]
    static let fail = ["message", "permanent"]
    static let run = ["command", "stdin", "env", "expectExitCodes"]
}
