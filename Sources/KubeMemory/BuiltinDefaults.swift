import JSONValue
import Kube

/// The defaults kube-apiserver fills into built-in kinds on create, limited to what
/// operators and kubectl read back.
enum BuiltinDefaults {
    static func onCreate(_ object: JSON, type: ResourceType) throws -> JSON {
        guard !type.isCustom else { return object }
        var o = object
        switch (type.gvr.group, type.gvr.resource) {
        case ("", "namespaces"):
            o["spec"] = ["finalizers": ["kubernetes"]]
            o["status"] = ["phase": "Active"]
            var labels = o["metadata"]?["labels"] ?? .emptyObject
            labels["kubernetes.io/metadata.name"] = .string(o.objectName)
            o.setMetadata("labels", labels)
        case ("apps", "deployments"), ("apps", "statefulsets"), ("apps", "replicasets"):
            if o["spec"]?["replicas"] == nil { o.set(1, at: ["spec", "replicas"]) }
        case ("", "pods"):
            o["status"] = ["phase": "Pending"]
        case ("batch", "jobs"):
            o = jobDefaults(o)
        default:
            break
        }
        return o
    }

    /// What kube-apiserver fills into a Job: the selector on its uid (unless
    /// `manualSelector`), the matching template labels, and the counts' defaults.
    static func jobDefaults(_ job: JSON) -> JSON {
        guard job["spec"]?.object != nil else { return job }
        var o = job
        let uid = JSON.string(o.objectUID)
        let name = JSON.string(o.objectName)
        if o["spec"]?["manualSelector"]?.bool != true, o["spec"]?["selector"] == nil {
            o.set(["matchLabels": ["batch.kubernetes.io/controller-uid": uid]], at: ["spec", "selector"])
        }
        if o["spec"]?["template"]?.object != nil, (o["spec"]?["template"]?["metadata"]?["labels"]).map({ $0.object != nil }) ?? true {
            for (key, value) in [("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name),
                                 ("controller-uid", uid), ("job-name", name)]
            where o.value(at: ["spec", "template", "metadata", "labels", key]) == nil {
                o.set(value, at: ["spec", "template", "metadata", "labels", key])
            }
        }
        if o["spec"]?["completions"] == nil, o["spec"]?["parallelism"] == nil {
            o.set(1, at: ["spec", "completions"])
            o.set(1, at: ["spec", "parallelism"])
        }
        for (key, value) in [("backoffLimit", JSON.int(6)), ("completionMode", "NonIndexed"), ("suspend", false)]
        where o["spec"]?[key] == nil {
            o.set(value, at: ["spec", key])
        }
        return o
    }
}
