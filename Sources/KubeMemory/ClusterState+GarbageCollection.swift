import Platform
import JSONValue
import Kube

/// The work kube's controllers do after a deletion, done synchronously here: the garbage
/// collector (owner references), the namespace controller and the CRD finalizer.
extension ClusterState {
    /// Queues what a removal may unblock or orphan.
    mutating func afterRemoval(_ object: JSON, at: ObjectAddress) {
        let uid = object.objectUID
        if !uid.isEmpty { pending.append(.ownerGone(uid)) }
        for owner in object.objectOwnerUIDs { pending.append(.foregroundCheck(owner)) }
        if !at.key.namespace.isEmpty { pending.append(.namespaceCheck(at.key.namespace)) }
        if let crd = registry.anyVersion(of: at.groupResource)?.crdName { pending.append(.crdCheck(crd)) }
        if at.groupResource == GroupResource(BuiltinResources.crds) {
            let gr = crdGroupResource(object)
            registry.unregister(crd: object.objectName)
            objects[gr] = nil
            let ended = watchers.filter { $0.value.groupResource == gr }.map(\.key)
            for id in ended { watchers.removeValue(forKey: id)?.end() }
        }
    }

    /// Runs queued follow-up work until nothing is left.
    mutating func settle() {
        var steps = 0
        while !pending.isEmpty {
            let work = pending.removeFirst()
            steps += 1
            if steps > 1_000_000 { pending.removeAll(); return }  // a cycle in owner references must not hang the server
            let now = Timestamp.now()
            switch work {
            case .ownerGone(let uid):
                for d in dependents[uid] ?? [] where allOwnersGone(d) {
                    deleteObject(at: d, policy: .background, now: now)
                }
            case .orphanCheck(let at):
                if allOwnersGone(at) { deleteObject(at: at, policy: .background, now: now) }
            case .foregroundCheck(let uid):
                guard let at = uidIndex[uid], let owner = object(at: at), owner.isBeingDeleted,
                      owner.objectFinalizers.contains(ClusterState.foregroundFinalizer) else { continue }
                let blocking = (dependents[uid] ?? []).contains { d in
                    guard let dep = object(at: d) else { return false }
                    return (dep["metadata"]?["ownerReferences"]?.array ?? []).contains {
                        $0["uid"]?.string == uid && $0["blockOwnerDeletion"]?.bool == true
                    }
                }
                if !blocking { dropFinalizer(ClusterState.foregroundFinalizer, at: at) }
            case .namespaceCheck(let name):
                let at = address(BuiltinResources.namespaces, namespace: nil, name: name)
                guard let ns = object(at: at), ns.isBeingDeleted else { continue }
                let empty = objects.allSatisfy { gr, objs in
                    gr == at.groupResource || !objs.keys.contains { $0.namespace == name }
                }
                guard empty else { continue }
                var new = ns
                new.set(nil, at: ["spec", "finalizers"])
                if new["spec"]?.object?.isEmpty == true { new["spec"] = .emptyObject }
                if new.objectFinalizers.isEmpty {
                    removeObject(new, at: at)
                } else if new != ns {
                    put(new, at: at, event: .modified, previous: ns)
                }
            case .crdCheck(let name):
                let at = address(BuiltinResources.crds, namespace: nil, name: name)
                guard let crd = object(at: at), crd.isBeingDeleted else { continue }
                if (objects[crdGroupResource(crd)] ?? [:]).isEmpty {
                    dropFinalizer(ClusterState.crdCleanupFinalizer, at: at)
                }
            }
        }
    }

    /// True when the object has owner references and none of the owners exists.
    func allOwnersGone(_ at: ObjectAddress) -> Bool {
        guard let o = object(at: at) else { return false }
        let owners = o.objectOwnerUIDs
        return !owners.isEmpty && owners.allSatisfy { uidIndex[$0] == nil }
    }
}
