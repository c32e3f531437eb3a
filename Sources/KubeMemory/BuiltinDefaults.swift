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
        default:
            break
        }
        return o
    }
}
