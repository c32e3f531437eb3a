import JSONValue
import Kube

extension ClusterState {
    /// The stored object or kube's 404.
    func existing(_ type: ResourceType, _ ref: ObjectRef) throws -> (ObjectAddress, JSON) {
        let namespace = type.info.namespaced ? (ref.namespace ?? "") : ""
        let at = address(type.gvr, namespace: namespace, name: ref.name)
        guard let object = object(at: at) else {
            throw KubeError.notFound(ObjectRef(type.gvr, namespace: namespace.isEmpty ? nil : namespace, name: ref.name))
        }
        return (at, object)
    }

    /// PUT on the object or its `status` subresource.
    mutating func update(_ type: ResourceType, _ ref: ObjectRef, subresource: String?, body: JSON, request: WriteRequest) throws -> JSON {
        if subresource == "scale" { return try updateScale(type, ref, body: body, request: request) }
        try checkSubresource(type, subresource)
        let (at, old) = try existing(type, ref)
        let (proposed, _) = try normalize(body, type: type, urlNamespace: at.key.namespace.isEmpty ? nil : at.key.namespace)
        return try replace(type, at: at, old: old, proposed: proposed, subresource: subresource, request: request,
                           requireResourceVersion: type.isCustom, applied: false)
    }

    func checkSubresource(_ type: ResourceType, _ subresource: String?) throws {
        guard let subresource else { return }
        guard type.info.subresources.contains(subresource) else { throw KubeError.unknownResource() }
    }

    /// The common path of every change to an existing object: optimistic concurrency,
    /// subresource rules, finalizer rules, schema, generation, managed fields, no-op
    /// detection, and removal when the last finalizer of a deleting object goes.
    mutating func replace(
        _ type: ResourceType, at: ObjectAddress, old: JSON, proposed: JSON, subresource: String?,
        request: WriteRequest, requireResourceVersion: Bool, applied: Bool
    ) throws -> JSON {
        let name = at.key.name
        let ref = ObjectRef(type.gvr, namespace: at.key.namespace.isEmpty ? nil : at.key.namespace, name: name)
        let proposedName = proposed.objectName
        if !proposedName.isEmpty, proposedName != name {
            throw KubeError.badRequest("the name of the object (\(proposedName)) does not match the name on the URL (\(name))")
        }
        let rv = proposed.objectResourceVersion
        if rv.isEmpty {
            if requireResourceVersion {
                throw invalid(type, name: name, [("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update", "FieldValueInvalid")])
            }
        } else if rv != old.objectResourceVersion {
            throw KubeError.conflict(ref)
        }
        let uid = proposed.objectUID
        if !uid.isEmpty, uid != old.objectUID {
            throw KubeError.conflict(ref, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old.objectUID)")
        }

        var new: JSON
        if subresource == "status" {
            // Writes to /status change the status only.
            new = old
            new["status"] = proposed["status"]
        } else {
            new = proposed
            for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
                new.setMetadata(key, old["metadata"]?[key])
            }
            if !applied, proposed["metadata"]?["managedFields"] == nil {
                new.setMetadata("managedFields", old["metadata"]?["managedFields"])
            }
            if type.hasStatus { new["status"] = old["status"] }
            if GroupResource(type.gvr) == GroupResource(BuiltinResources.namespaces) { new["spec"] = old["spec"] }
        }
        new.setMetadata("resourceVersion", old["metadata"]?["resourceVersion"])

        if old.isBeingDeleted {
            let added = new.objectFinalizers.filter { !old.objectFinalizers.contains($0) }
            if !added.isEmpty {
                let list = added.map { JSON.quote($0) }.joined(separator: ", ")
                throw invalid(type, name: name, [("metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}", "FieldValueForbidden")])
            }
        }
        new = try applySchema(new, type: type, validation: request.fieldValidation)
        new = ClusterState.withoutEmptyMetadata(new)
        if subresource == nil, !type.isCustom {
            new = BuiltinDefaults.onWrite(new, type: type)
            let causes = BuiltinValidation.validate(new, type: type) + BuiltinValidation.immutable(old: old, new: new, type: type)
            if !causes.isEmpty { throw invalid(type, name: name, causes) }
            if at.groupResource == ClusterState.servicesResource { new = try serviceAddresses(new, old: old) }
        }
        let isCRD = at.groupResource == GroupResource(BuiltinResources.crds)
        if isCRD, subresource == nil {
            let causes = CustomResourceDefinitions.validate(new)
            if !causes.isEmpty { throw invalid(type, name: name, causes) }
            new = CustomResourceDefinitions.withStatus(new, conflict: crdNameConflict(new), now: request.now)
        }
        if type.tracksGeneration, subresource != "status", ClusterState.specPart(old, type) != ClusterState.specPart(new, type) {
            new.setMetadata("generation", .int((old["metadata"]?["generation"]?.int ?? 0) + 1))
        }
        if !applied {
            new = ManagedFields.recordUpdate(old: old, new: new, manager: request.manager, subresource: subresource, now: request.now, lists: type.listSemantics)
        }
        if ClusterState.comparable(new) == ClusterState.comparable(old) { return old }
        if request.dryRun { return new }

        if old.isBeingDeleted, new.objectFinalizers.isEmpty, !ClusterState.namespaceHeld(new, at) {
            let removed = removeObject(new, at: at)
            settle()
            return removed
        }
        try StoredSizeLimit.check(new)
        put(new, at: at, event: .modified, previous: old)
        let stored = object(at: at) ?? new
        if isCRD { registerCRD(stored) }
        if stored.objectOwnerUIDs != old.objectOwnerUIDs, !stored.objectOwnerUIDs.isEmpty { pending.append(.orphanCheck(at)) }
        settle()
        return stored
    }

    /// What `generation` tracks: everything but metadata (and status when it is a subresource).
    static func specPart(_ o: JSON, _ type: ResourceType) -> JSON {
        var o = o
        o["metadata"] = nil
        if type.hasStatus { o["status"] = nil }
        return o
    }

    /// The object as compared for no-op detection: managed-field timestamps and the
    /// resourceVersion do not make a change.
    static func comparable(_ o: JSON) -> JSON {
        var o = o
        o.setMetadata("resourceVersion", nil)
        if let entries = o["metadata"]?["managedFields"]?.array {
            o.setMetadata("managedFields", .array(entries.map { e in
                var e = e
                if case .object = e { e["time"] = nil }
                return e
            }))
        }
        return o
    }

    /// A deleting namespace stays until its content is gone (`spec.finalizers`).
    static func namespaceHeld(_ o: JSON, _ at: ObjectAddress) -> Bool {
        at.groupResource == GroupResource(BuiltinResources.namespaces) && !(o["spec"]?["finalizers"]?.array ?? []).isEmpty
    }
}
