import JSONValue
import Kube

/// The `scale` subresource: an `autoscaling/v1 Scale` view of a scalable object.
extension ClusterState {
    func scale(of object: JSON, type: ResourceType) throws -> JSON {
        guard let paths = type.scale else { throw KubeError.unknownResource() }
        let selector: String
        if paths.builtinSelector {
            selector = LabelSelector.string(fromObject: object["spec"]?["selector"])
        } else {
            selector = paths.labelSelector.flatMap { object.value(at: $0)?.string } ?? ""
        }
        var metadata: JSON = ["name": .string(object.objectName)]
        for key in ["namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = object["metadata"]?[key] { metadata[key] = v }
        }
        var status: JSON = ["replicas": .int(object.value(at: paths.statusReplicas)?.int ?? 0)]
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
                "spec": ["replicas": .int(object.value(at: paths.specReplicas)?.int ?? 0)], "status": status]
    }

    func getScale(_ type: ResourceType, _ ref: ObjectRef) throws -> JSON {
        try checkSubresource(type, "scale")
        let (_, object) = try existing(type, ref)
        return try scale(of: object, type: type)
    }

    mutating func updateScale(_ type: ResourceType, _ ref: ObjectRef, body: JSON, request: WriteRequest) throws -> JSON {
        try checkSubresource(type, "scale")
        let (at, old) = try existing(type, ref)
        return try setReplicas(from: body, type: type, at: at, old: old, request: request)
    }

    mutating func patchScale(_ type: ResourceType, _ ref: ObjectRef, patchType: PatchType, body: JSON, request: WriteRequest) throws -> JSON {
        try checkSubresource(type, "scale")
        let (at, old) = try existing(type, ref)
        let current = try scale(of: old, type: type)
        // Patches apply to the Scale object; apply configurations merge like a merge patch here.
        let effective: PatchType = patchType == .apply ? .merge : patchType
        var patched = try ClusterState.patched(current, type: type, patchType: effective, body: body, request: request, subresource: "scale")
        patched.setMetadata("resourceVersion", patched["metadata"]?["resourceVersion"] ?? current["metadata"]?["resourceVersion"])
        return try setReplicas(from: patched, type: type, at: at, old: old, request: request)
    }

    private mutating func setReplicas(from scale: JSON, type: ResourceType, at: ObjectAddress, old: JSON, request: WriteRequest) throws -> JSON {
        guard let paths = type.scale else { throw KubeError.unknownResource() }
        let name = at.key.name
        let rv = scale["metadata"]?["resourceVersion"]?.string ?? ""
        if !rv.isEmpty, rv != old.objectResourceVersion {
            throw KubeError.conflict(ObjectRef(type.gvr, namespace: at.key.namespace.isEmpty ? nil : at.key.namespace, name: name))
        }
        guard let replicas = scale["spec"]?["replicas"]?.int else {
            throw KubeError(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Required value: an integer is required")
        }
        guard replicas >= 0 else {
            throw KubeError(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0")
        }
        var proposed = old
        proposed.set(.int(replicas), at: paths.specReplicas)
        let result = try replace(type, at: at, old: old, proposed: proposed, subresource: "scale", request: request,
                                 requireResourceVersion: false, applied: false)
        return try self.scale(of: result, type: type)
    }
}
