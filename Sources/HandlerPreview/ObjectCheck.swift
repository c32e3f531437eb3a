import JSONValue
import Kube

/// The object a plan is made for: it must be one object of the kind the operator
/// watches, with a name; a namespaced one without a namespace gets `default` (as
/// `kubectl apply` does). With a cluster, the live object lends what a file leaves out.
enum ObjectCheck {
    static func basics(_ object: JSON, file: String) throws(PreviewError) -> JSON {
        guard case .object = object else {
            throw PreviewError("\(file): expected one Kubernetes object (a mapping with apiVersion, kind and metadata), got \(object.typeName)")
        }
        guard let apiVersion = object["apiVersion"]?.string, !apiVersion.isEmpty, let kind = object["kind"]?.string, !kind.isEmpty else {
            throw PreviewError("\(file): the object has no apiVersion or kind")
        }
        guard let name = object["metadata"]?["name"]?.string, !name.isEmpty else {
            throw PreviewError("\(file): the \(kind) has no metadata.name")
        }
        return object
    }

    /// Refuses an object of another kind than the watched one; fills in or drops the namespace.
    static func matches(_ object: inout JSON, info: ResourceInfo, file: String, operatorFile: String, notes: inout [String]) throws(PreviewError) {
        let apiVersion = object["apiVersion"]?.string ?? ""
        let kind = object["kind"]?.string ?? ""
        guard apiVersion == info.gvr.apiVersion, kind == info.kind else {
            throw PreviewError("\(file): the object is a \(apiVersion) \(kind), but \(operatorFile) watches \(info.gvr.apiVersion) \(info.kind)")
        }
        let namespace = object["metadata"]?["namespace"]?.string ?? ""
        if info.namespaced && namespace.isEmpty {
            object.set("default", at: ["metadata", "namespace"])
            notes.append("\(file) names no namespace: the plan uses default")
        } else if !info.namespaced && !namespace.isEmpty {
            object.remove(at: ["metadata", "namespace"])
            notes.append("\(kind) is cluster-scoped: the namespace \(namespace) in \(file) is left out")
        }
    }

    /// Takes from the live object what the file leaves out — identity (uid, creation
    /// time, generation), finalizers, a deletion mark, and status (where yopf keeps its
    /// progress and diff base) — and says what it found.
    static func mergeLive(_ object: inout JSON, api: any KubeAPI, info: ResourceInfo) async -> String {
        let meta = object["metadata"] ?? [:]
        let ref = ObjectRef(info.gvr, namespace: meta["namespace"]?.string, name: meta["name"]?.string ?? "")
        let live: JSON
        do {
            live = try await api.get(ref)
        } catch let e as KubeError where e.code == 404 {
            return "\(describe(object)) is not in the cluster yet"
        } catch {
            return "cannot read \(describe(object)) from the cluster: \(error)"
        }
        for key in ["uid", "creationTimestamp", "generation", "resourceVersion", "finalizers", "deletionTimestamp"] {
            if object["metadata"]?[key] == nil, let value = live["metadata"]?[key] { object.set(value, at: ["metadata", key]) }
        }
        if object["status"] == nil, let status = live["status"] { object["status"] = status }
        return "\(describe(object)) exists in the cluster (uid \(live["metadata"]?["uid"]?.string ?? "?")): its identity and status are used"
    }

    /// `MySQL default/db1`.
    static func describe(_ object: JSON) -> String {
        let meta = object["metadata"] ?? [:]
        let name = meta["name"]?.string ?? ""
        let ns = meta["namespace"]?.string.map { "\($0)/" } ?? ""
        return "\(object["kind"]?.string ?? "") \(ns)\(name)"
    }
}
