import Platform
import JSONValue
import Kube

/// What the simulated controllers and kubelet read from and write into workload objects:
/// the resource types, controller references, pod readiness, conditions.
enum Workload {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let secrets = GroupVersionResource(group: "", version: "v1", resource: "secrets")
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let replicaSets = GroupVersionResource(group: "apps", version: "v1", resource: "replicasets")
    static let statefulSets = GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    /// The prefix of the annotations that script a simulated pod (see `WorkloadSimulator`).
    static let simulateAnnotationPrefix = "yopf.dev/simulate-"

    /// The container a request names, or the pod's only one; kube-apiserver's 400s otherwise.
    static func chooseContainer(of pod: JSON, requested container: String?, podName name: String) throws -> String {
        let names = containerNames(of: pod)
        if let container, !container.isEmpty {
            guard names.contains(container) else {
                throw KubeError.badRequest("container \(container) is not valid for pod \(name)")
            }
            return container
        }
        if names.count == 1 { return names[0] }
        throw KubeError.badRequest("a container name must be specified for pod \(name), choose one of: [\(names.joined(separator: " "))]")
    }

    static func containerNames(of pod: JSON) -> [String] {
        (pod["spec"]?["containers"]?.array ?? []).compactMap { $0["name"]?.string }
    }

    /// The owner reference with `controller: true`, if any: (kind, name, uid).
    static func controller(of object: JSON) -> (kind: String, name: String, uid: String)? {
        for r in object["metadata"]?["ownerReferences"]?.array ?? [] where r["controller"]?.bool == true {
            if let kind = r["kind"]?.string, let name = r["name"]?.string, let uid = r["uid"]?.string {
                return (kind, name, uid)
            }
        }
        return nil
    }

    /// An owner reference naming `owner` as the controller, as kube's controllers write it.
    static func controllerReference(to owner: JSON) -> JSON {
        ["apiVersion": owner["apiVersion"] ?? "", "kind": owner["kind"] ?? "",
         "name": .string(owner.objectName), "uid": .string(owner.objectUID),
         "controller": true, "blockOwnerDeletion": true]
    }

    static func phase(of pod: JSON) -> String { pod["status"]?["phase"]?.string ?? "Pending" }

    /// Not finished (Succeeded/Failed) and not being deleted: counts as a replica.
    static func isActive(_ pod: JSON) -> Bool {
        let p = phase(of: pod)
        return p != "Succeeded" && p != "Failed" && !pod.isBeingDeleted
    }

    static func isReady(_ pod: JSON) -> Bool {
        (pod["status"]?["conditions"]?.array ?? []).contains {
            $0["type"]?.string == "Ready" && $0["status"]?.string == "True"
        }
    }

    static func labels(of object: JSON) -> JSONObject { object["metadata"]?["labels"]?.object ?? [:] }

    /// A short, stable hash of a pod template in the alphabet kube uses for generated names
    /// (no vowels, so no words): FNV-1a over the template's canonical JSON.
    static func templateHash(_ template: JSON) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in template.serializedBytes(sortedKeys: true) {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// `conditions` with the condition `type` set; `lastTransitionTime` moves only when the
    /// status changes, as kube's controllers keep it.
    static func setting(
        _ type: String, status: String, reason: String, message: String, in conditions: [JSON], now: String,
        updateTime: Bool = false
    ) -> [JSON] {
        var out = conditions
        let index = out.firstIndex { $0["type"]?.string == type }
        let old = index.map { out[$0] }
        var c: JSON = ["type": .string(type), "status": .string(status)]
        if updateTime {
            let same = old?["reason"]?.string == reason && old?["message"]?.string == message && old?["status"]?.string == status
            c["lastUpdateTime"] = same ? (old?["lastUpdateTime"] ?? .string(now)) : .string(now)
        }
        c["lastTransitionTime"] = old?["status"]?.string == status ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now)
        c["reason"] = .string(reason)
        c["message"] = .string(message)
        if let index { out[index] = c } else { out.append(c) }
        return out
    }

    /// `2s`, `500ms`, `1m`, `1h`, `1.5s` or a bare number of seconds.
    static func duration(_ text: String) -> Duration? {
        let t = text.trimmingBlanks()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v >= 0, v.isFinite else { return nil }
            return .milliseconds(Int64(v * scale * 1000))
        }
        guard let v = Double(t), v >= 0, v.isFinite else { return nil }
        return .milliseconds(Int64(v * 1000))
    }

}
