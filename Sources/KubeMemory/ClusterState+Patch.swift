import JSONValue
import Kube

extension ClusterState {
    /// PATCH in any of kube's four formats, on the object or its status/scale subresource.
    mutating func patch(_ type: ResourceType, _ ref: ObjectRef, subresource: String?, patchType: PatchType, body: JSON, request: WriteRequest) throws -> JSON {
        if patchType == .apply, (request.manager == "unknown" || request.manager.isEmpty) {
            throw KubeError.badRequest("PATCH /apply requires fieldManager: fieldManager is required for apply requests")
        }
        if patchType == .strategicMerge, type.isCustom {
            throw KubeError.unsupportedMediaType(PatchType.strategicMerge.rawValue)
        }
        if subresource == "scale" { return try patchScale(type, ref, patchType: patchType, body: body, request: request) }
        try checkSubresource(type, subresource)
        let namespace = type.info.namespaced ? (ref.namespace ?? "") : ""
        let at = address(type.gvr, namespace: namespace, name: ref.name)
        guard let old = object(at: at) else {
            if patchType == .apply, subresource == nil {
                return try applyCreate(type, ref, body: body, request: request)
            }
            throw KubeError.notFound(ObjectRef(type.gvr, namespace: namespace.isEmpty ? nil : namespace, name: ref.name))
        }
        let current = shown(old, type)
        var patched = try ClusterState.patched(current, type: type, patchType: patchType, body: body, request: request, subresource: subresource)
        if patchType == .apply {
            // The applied configuration names the object; it must be this one.
            try checkAppliedIdentity(body, type: type, ref: ref)
        }
        (patched, _) = try normalize(patched, type: type, urlNamespace: namespace.isEmpty ? nil : namespace)
        return try replace(type, at: at, old: old, proposed: patched, subresource: subresource, request: request,
                           requireResourceVersion: false, applied: patchType == .apply)
    }

    /// The document after applying a patch of any type, errors worded as kube words them.
    static func patched(_ current: JSON, type: ResourceType, patchType: PatchType, body: JSON, request: WriteRequest, subresource: String?) throws -> JSON {
        do {
            switch patchType {
            case .merge:
                guard case .object = body else {
                    throw KubeError.badRequest("json: cannot unmarshal \(body.typeName) into Go value of type map[string]interface {}")
                }
                return current.mergePatched(with: body)
            case .json:
                return try JSONPatch.apply(body, to: current)
            case .strategicMerge:
                return try StrategicMergePatch.apply(body, to: current, kind: type.info.gvk)
            case .apply:
                return try ManagedFields.apply(config: body, to: current, manager: request.manager, force: request.force,
                                               subresource: subresource, now: request.now, lists: type.listSemantics)
            }
        } catch let e as KubeError {
            throw e
        } catch let e as PatchError {
            if e.code == 400 { throw KubeError.badRequest(e.message) }
            throw KubeError(code: e.code, reason: e.code == 422 ? "Invalid" : "BadRequest", message: e.message)
        } catch let e as ApplyConflict {
            throw ClusterState.applyConflict(e, type: type, name: current.objectName)
        } catch {
            throw KubeError.internalError("\(error)")
        }
    }

    /// kube's 409 for server-side apply conflicts, with the object named in the details.
    static func applyConflict(_ e: ApplyConflict, type: ResourceType, name: String) -> KubeError {
        var error = e.kubeError
        error.status["details"]?["name"] = .string(name)
        error.status["details"]?["group"] = .string(type.gvr.group)
        error.status["details"]?["kind"] = .string(type.gvr.resource)
        return error
    }

    func checkAppliedIdentity(_ body: JSON, type: ResourceType, ref: ObjectRef) throws {
        guard case .object = body else { throw KubeError.badRequest("the applied configuration must be an object") }
        let name = body["metadata"]?["name"]?.string ?? ""
        if name.isEmpty { throw KubeError.badRequest("metadata.name: Required value: name is required for apply requests") }
        if name != ref.name {
            throw KubeError.badRequest("the name of the object (\(name)) does not match the name on the URL (\(ref.name))")
        }
        if body["apiVersion"] == nil || body["kind"] == nil {
            throw KubeError.badRequest("apiVersion and kind must be set in the applied configuration")
        }
    }

    /// Server-side apply of an object that does not exist yet: a create.
    mutating func applyCreate(_ type: ResourceType, _ ref: ObjectRef, body: JSON, request: WriteRequest) throws -> JSON {
        try checkAppliedIdentity(body, type: type, ref: ref)
        var config = body
        if type.info.namespaced, config["metadata"]?["namespace"] == nil, let ns = ref.namespace {
            config.setMetadata("namespace", .string(ns))
        }
        let created = try ClusterState.patched(.null, type: type, patchType: .apply, body: config, request: request, subresource: nil)
        return try create(type, urlNamespace: ref.namespace, body: created, request: request, apply: true)
    }

    /// The object in the version the request asked for.
    func shown(_ object: JSON, _ type: ResourceType) -> JSON {
        var o = object
        if o["apiVersion"]?.string != type.apiVersion { o["apiVersion"] = .string(type.apiVersion) }
        return o
    }
}
