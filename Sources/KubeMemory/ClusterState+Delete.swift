import JSONValue
import Kube

extension ClusterState {
    static let foregroundFinalizer = "foregroundDeletion"
    static let crdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

    /// DELETE: preconditions, finalizers (deletionTimestamp instead of removal),
    /// propagation to dependents, namespace and CRD cleanup.
    mutating func delete(_ type: ResourceType, _ ref: ObjectRef, options: DeleteOptions, now: String) throws -> JSON {
        let (at, old) = try existing(type, ref)
        let shownRef = ObjectRef(type.gvr, namespace: at.key.namespace.isEmpty ? nil : at.key.namespace, name: at.key.name)
        if let uid = options.preconditionUID, uid != old.objectUID {
            throw KubeError.conflict(shownRef, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old.objectUID)")
        }
        if let rv = options.preconditionResourceVersion, rv != old.objectResourceVersion {
            throw KubeError.conflict(shownRef, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(old.objectResourceVersion)")
        }
        if at.groupResource == GroupResource(BuiltinResources.namespaces), BuiltinResources.initialNamespaces.contains(at.key.name) {
            throw KubeError(code: 403, reason: "Forbidden",
                            message: "namespaces \"\(at.key.name)\" is forbidden: this namespace may not be deleted",
                            details: ["name": .string(at.key.name), "kind": "namespaces"])
        }
        if options.dryRun { return shown(old, type) }
        let result = deleteObject(at: at, policy: options.propagationPolicy ?? .background, now: now)
        settle()
        return shown(result, type)
    }

    /// Deletes (or starts deleting) the object at `at`; returns it as it is afterwards.
    @discardableResult
    mutating func deleteObject(at: ObjectAddress, policy: PropagationPolicy, now: String) -> JSON {
        guard let old = object(at: at) else { return .null }
        if old.isBeingDeleted { return old }
        let uid = old.objectUID
        if policy == .orphan {
            for d in dependents[uid] ?? [] { removeOwnerReference(uid, from: d) }
        }
        var new = old
        let isNamespace = at.groupResource == GroupResource(BuiltinResources.namespaces)
        let isCRD = at.groupResource == GroupResource(BuiltinResources.crds)
        let hasDependents = !(dependents[uid] ?? []).isEmpty
        if policy == .foreground, hasDependents, !new.objectFinalizers.contains(ClusterState.foregroundFinalizer) {
            new.setFinalizers(new.objectFinalizers + [ClusterState.foregroundFinalizer])
        }
        if isCRD, !new.objectFinalizers.contains(ClusterState.crdCleanupFinalizer) {
            new.setFinalizers(new.objectFinalizers + [ClusterState.crdCleanupFinalizer])
        }
        if new.objectFinalizers.isEmpty && !ClusterState.namespaceHeld(new, at) {
            removeObject(new, at: at)
            return new
        }
        new.setMetadata("deletionTimestamp", .string(now))
        new.setMetadata("deletionGracePeriodSeconds", 0)
        if isNamespace { new.set("Terminating", at: ["status", "phase"]) }
        if isCRD { new = CustomResourceDefinitions.withStatus(new, conflict: nil, now: now) }
        put(new, at: at, event: .modified, previous: old)
        let stored = object(at: at) ?? new
        if policy == .foreground {
            for d in dependents[uid] ?? [] { deleteObject(at: d, policy: .foreground, now: now) }
            pending.append(.foregroundCheck(uid))
        }
        if isNamespace {
            for (gr, objects) in self.objects where gr != at.groupResource {
                for key in objects.keys where key.namespace == at.key.name {
                    deleteObject(at: ObjectAddress(groupResource: gr, key: key), policy: .background, now: now)
                }
            }
            pending.append(.namespaceCheck(at.key.name))
        }
        if isCRD {
            let gr = crdGroupResource(stored)
            for key in (objects[gr] ?? [:]).keys {
                deleteObject(at: ObjectAddress(groupResource: gr, key: key), policy: .background, now: now)
            }
            pending.append(.crdCheck(at.key.name))
        }
        return stored
    }

    func crdGroupResource(_ crd: JSON) -> GroupResource {
        GroupResource(group: crd["spec"]?["group"]?.string ?? "", resource: crd["spec"]?["names"]?["plural"]?.string ?? "")
    }

    /// Orphan propagation: the dependent forgets its owner.
    mutating func removeOwnerReference(_ uid: String, from at: ObjectAddress) {
        guard let old = object(at: at) else { return }
        var new = old
        let refs = (old["metadata"]?["ownerReferences"]?.array ?? []).filter { $0["uid"]?.string != uid }
        new.setMetadata("ownerReferences", refs.isEmpty ? nil : .array(refs))
        put(new, at: at, event: .modified, previous: old)
    }

    /// Removes a finalizer the server itself owns, removing the object when none are left.
    mutating func dropFinalizer(_ finalizer: String, at: ObjectAddress) {
        guard let old = object(at: at), old.objectFinalizers.contains(finalizer) else { return }
        var new = old
        new.setFinalizers(old.objectFinalizers.filter { $0 != finalizer })
        if new.isBeingDeleted, new.objectFinalizers.isEmpty, !ClusterState.namespaceHeld(new, at) {
            removeObject(new, at: at)
        } else {
            put(new, at: at, event: .modified, previous: old)
        }
    }
}
