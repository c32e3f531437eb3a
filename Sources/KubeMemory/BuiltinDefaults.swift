import Platform
import JSONValue
import Kube

/// The defaults kube-apiserver fills into built-in kinds on create (`onCreate`) and on
/// every write (`onWrite`), limited to what operators and kubectl read back. Not the pod
/// template's defaults (dnsPolicy, imagePullPolicy, terminationMessagePath, …). A Service's
/// cluster IP and node ports are allocated by ClusterState+Services, which needs the store.
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
        return onWrite(o, type: type)
    }

    /// Spec defaults kube fills whenever it decodes an object, so a PUT that leaves them out
    /// gets them back.
    static func onWrite(_ object: JSON, type: ResourceType) -> JSON {
        if type.gvr.group.isEmpty, type.gvr.resource == "secrets" { return secretDefaults(object) }
        guard !type.isCustom, object["spec"]?.object != nil else { return object }
        var o = object
        func fill(_ path: [String], _ value: JSON) {
            if o.value(at: ["spec"] + path) == nil { o.set(value, at: ["spec"] + path) }
        }
        switch (type.gvr.group, type.gvr.resource) {
        case ("apps", "deployments"):
            fill(["replicas"], 1)
            if o["spec"]?["strategy"]?["type"] == nil || o["spec"]?["strategy"]?["type"]?.string == "RollingUpdate" {
                fill(["strategy", "type"], "RollingUpdate")
                fill(["strategy", "rollingUpdate", "maxUnavailable"], "25%")
                fill(["strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            fill(["revisionHistoryLimit"], 10)
            fill(["progressDeadlineSeconds"], 600)
        case ("apps", "replicasets"):
            fill(["replicas"], 1)
        case ("apps", "statefulsets"):
            fill(["replicas"], 1)
            fill(["podManagementPolicy"], "OrderedReady")
            if o["spec"]?["updateStrategy"]?["type"] == nil || o["spec"]?["updateStrategy"]?["type"]?.string == "RollingUpdate" {
                fill(["updateStrategy", "type"], "RollingUpdate")
                fill(["updateStrategy", "rollingUpdate", "partition"], 0)
            }
            fill(["revisionHistoryLimit"], 10)
            fill(["persistentVolumeClaimRetentionPolicy", "whenDeleted"], "Retain")
            fill(["persistentVolumeClaimRetentionPolicy", "whenScaled"], "Retain")
        case ("apps", "daemonsets"):
            if o["spec"]?["updateStrategy"]?["type"] == nil || o["spec"]?["updateStrategy"]?["type"]?.string == "RollingUpdate" {
                fill(["updateStrategy", "type"], "RollingUpdate")
                fill(["updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
                fill(["updateStrategy", "rollingUpdate", "maxSurge"], 0)
            }
            fill(["revisionHistoryLimit"], 10)
        case ("batch", "cronjobs"):
            fill(["concurrencyPolicy"], "Allow")
            fill(["suspend"], false)
            fill(["successfulJobsHistoryLimit"], 3)
            fill(["failedJobsHistoryLimit"], 1)
        case ("", "services"):
            let type = o["spec"]?["type"]?.string ?? "ClusterIP"
            fill(["type"], "ClusterIP")
            if type != "ExternalName" {
                fill(["sessionAffinity"], "None")
                fill(["internalTrafficPolicy"], "Cluster")
            }
            if type == "NodePort" || type == "LoadBalancer" { fill(["externalTrafficPolicy"], "Cluster") }
            if type == "LoadBalancer" { fill(["allocateLoadBalancerNodePorts"], true) }
            if let ports = o["spec"]?["ports"]?.array {
                o.set(.array(ports.map { p in
                    guard case .object = p else { return p }
                    var p = p
                    if p["protocol"] == nil { p["protocol"] = "TCP" }
                    let target = p["targetPort"]
                    if target == nil || target?.int == 0 || target?.string == "" { p["targetPort"] = p["port"] ?? .null }
                    return p
                }), at: ["spec", "ports"])
            }
        default:
            break
        }
        return o
    }

    /// `stringData` is write-only: kube merges it into `data` (base64, overriding) and drops
    /// it. `type` defaults to Opaque.
    static func secretDefaults(_ secret: JSON) -> JSON {
        var o = secret
        if o["type"] == nil || o["type"]?.string == "" { o["type"] = "Opaque" }
        if let plain = o["stringData"]?.object {
            var data = o["data"]?.object ?? [:]
            for (k, v) in plain { data[k] = .string(Base64.encode(Array((v.string ?? v.serialized()).utf8))) }
            o["data"] = .object(data)
        }
        if o["stringData"] != nil { o["stringData"] = nil }
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
