import Platform
import JSONValue
import Kube

/// One simulated controller: which resource types it watches, which of its objects an event
/// concerns, and how it brings one object's world to the declared state.
protocol WorkloadController: Sendable {
    /// The name used in logs and as the field manager of its writes.
    var name: String { get }
    var watched: [GroupVersionResource] { get }
    /// The objects of this controller to reconcile after an event on `object` of type `gvr`.
    func keys(for gvr: GroupVersionResource, _ type: WatchEvent.EventType, _ object: JSON) -> [ObjectKey]
    func reconcile(_ key: ObjectKey) async throws
}

extension WorkloadController {
    /// The key of `object` itself when it has this type, else of its controller of `kind`.
    func ownKey(_ object: JSON, when gvr: GroupVersionResource, is own: GroupVersionResource, ownerKind: String) -> [ObjectKey] {
        let ns = object.objectNamespace
        if gvr == own { return [ObjectKey(namespace: ns, name: object.objectName)] }
        if let c = Workload.controller(of: object), c.kind == ownerKind { return [ObjectKey(namespace: ns, name: c.name)] }
        return []
    }
}

/// Writes the controllers and the kubelet make, through the `KubeAPI` like any client.
struct WorkloadWriter: Sendable {
    let api: any KubeAPI
    let manager: String

    var options: WriteOptions { WriteOptions(fieldManager: manager) }

    /// Reads an object; nil when it does not exist.
    func get(_ gvr: GroupVersionResource, _ key: ObjectKey) async throws -> JSON? {
        do {
            return try await api.get(ObjectRef(gvr, namespace: key.namespace, name: key.name), subresource: nil)
        } catch let e as KubeError where e.code == 404 {
            return nil
        }
    }

    /// The objects of `gvr` in `namespace` whose controller is the object with `uid`.
    func owned(_ gvr: GroupVersionResource, namespace: String, by uid: String) async throws -> [JSON] {
        let list = try await api.list(gvr, namespace: namespace, options: ListOptions())
        return (list["items"]?.array ?? []).filter { Workload.controller(of: $0)?.uid == uid }
    }

    /// Replaces `old`'s status with `status` by a merge patch of the difference (nothing is
    /// written when nothing changed). A vanished object is not an error.
    func setStatus(_ gvr: GroupVersionResource, of old: JSON, to status: JSON) async throws {
        let current = old["status"] ?? .emptyObject
        let diff = current.mergePatch(to: status)
        if diff.object?.isEmpty ?? false { return }
        try await ignoringNotFound {
            _ = try await api.patch(ref(gvr, old), subresource: "status", type: .merge, body: ["status": diff], options: options)
        }
    }

    /// A merge patch of the object itself (metadata or spec).
    func patch(_ gvr: GroupVersionResource, _ object: JSON, _ body: JSON) async throws {
        try await ignoringNotFound {
            _ = try await api.patch(ref(gvr, object), subresource: nil, type: .merge, body: body, options: options)
        }
    }

    func create(_ gvr: GroupVersionResource, namespace: String, _ body: JSON) async throws {
        _ = try await api.create(gvr, namespace: namespace, body: body, options: options)
    }

    /// Records a `v1 Event` about `object` (kind `kind`) as kube's controllers do, e.g.
    /// `ScalingReplicaSet`. Best effort: a failed write (namespace going away) is ignored.
    func event(about object: JSON, kind: String, apiVersion: String, reason: String, message: String, component: String) async {
        let now = Timestamp.now()
        let body: JSON = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["generateName": .string(object.objectName + "."), "namespace": .string(object.objectNamespace)],
            "involvedObject": ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(object.objectName),
                               "namespace": .string(object.objectNamespace), "uid": .string(object.objectUID),
                               "resourceVersion": .string(object.objectResourceVersion)],
            "reason": .string(reason), "message": .string(message), "type": "Normal",
            "source": ["component": .string(component)], "reportingComponent": .string(component), "reportingInstance": "",
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
        ]
        _ = try? await api.create(GroupVersionResource(group: "", version: "v1", resource: "events"), namespace: object.objectNamespace,
                                  body: body, options: options)
    }

    func delete(_ gvr: GroupVersionResource, _ object: JSON) async throws {
        try await ignoringNotFound {
            _ = try await api.delete(ref(gvr, object), options: DeleteOptions(propagationPolicy: .background))
        }
    }

    func ref(_ gvr: GroupVersionResource, _ object: JSON) -> ObjectRef {
        let ns = object.objectNamespace
        return ObjectRef(gvr, namespace: ns.isEmpty ? nil : ns, name: object.objectName)
    }

    private func ignoringNotFound(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let e as KubeError where e.code == 404 {}
    }
}

/// A pod made from a controller's pod template: labels and annotations from the template,
/// the controller reference, and the template's spec.
func podFromTemplate(_ template: JSON, owner: JSON, name: String?, generateName: String?,
                     extraLabels: JSONObject = [:], extraAnnotations: JSONObject = [:]) -> JSON {
    var labels = template["metadata"]?["labels"]?.object ?? [:]
    for (k, v) in extraLabels { labels[k] = v }
    var annotations = extraAnnotations
    for (k, v) in template["metadata"]?["annotations"]?.object ?? [:] { annotations[k] = v }
    var metadata: JSON = ["namespace": .string(owner.objectNamespace)]
    if let name { metadata["name"] = .string(name) }
    if let generateName { metadata["generateName"] = .string(generateName) }
    if !labels.isEmpty { metadata["labels"] = .object(labels) }
    if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
    metadata["ownerReferences"] = [Workload.controllerReference(to: owner)]
    // A template spec that is not an object makes an empty one (the API rejects the pod).
    var spec = JSON.object(template["spec"]?.object ?? [:])
    if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
}
