import JSONValue
import Kube

/// kube-controller-manager's ReplicaSet controller, simplified: keeps `spec.replicas`
/// active pods owned by the ReplicaSet (created from its template with `generateName`,
/// surplus deleted, not-ready pods first) and reports replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas and observedGeneration. Pods are matched by controller
/// reference only (orphans matching the selector are not adopted).
struct ReplicaSetController: WorkloadController {
    let writer: WorkloadWriter
    var name: String { writer.manager }
    var watched: [GroupVersionResource] { [Workload.replicaSets, Workload.pods] }

    func keys(for gvr: GroupVersionResource, _ type: WatchEvent.EventType, _ object: JSON) -> [ObjectKey] {
        ownKey(object, when: gvr, is: Workload.replicaSets, ownerKind: "ReplicaSet")
    }

    func reconcile(_ key: ObjectKey) async throws {
        guard let rs = try await writer.get(Workload.replicaSets, key), !rs.isBeingDeleted else { return }
        let desired = max(0, rs["spec"]?["replicas"]?.int ?? 1)
        let all = try await writer.owned(Workload.pods, namespace: key.namespace, by: rs.objectUID)
        var active = all.filter(Workload.isActive)
        // Finished pods of a ReplicaSet are replaced, as kube does.
        for pod in all where !Workload.isActive(pod) && !pod.isBeingDeleted {
            try await writer.delete(Workload.pods, pod)
        }
        if active.count < desired {
            let template = rs["spec"]?["template"] ?? .emptyObject
            for _ in active.count..<desired {
                let pod = podFromTemplate(template, owner: rs, name: nil, generateName: rs.objectName + "-")
                try await writer.create(Workload.pods, namespace: key.namespace, pod)
            }
            active = try await writer.owned(Workload.pods, namespace: key.namespace, by: rs.objectUID).filter(Workload.isActive)
        } else if active.count > desired {
            // Delete the least useful first: not ready before ready, newest before oldest.
            let ranked = active.sorted { a, b in
                let ra = Workload.isReady(a), rb = Workload.isReady(b)
                if ra != rb { return !ra }
                return (a["metadata"]?["creationTimestamp"]?.string ?? "") > (b["metadata"]?["creationTimestamp"]?.string ?? "")
            }
            for pod in ranked.prefix(active.count - desired) { try await writer.delete(Workload.pods, pod) }
            let gone = Set(ranked.prefix(active.count - desired).map(\.objectUID))
            active.removeAll { gone.contains($0.objectUID) }
        }
        let selector = LabelSelector.string(fromObject: rs["spec"]?["selector"])
        let parsed = (try? LabelSelector(parsing: selector)) ?? .everything
        let ready = active.filter(Workload.isReady).count
        var status = rs["status"] ?? .emptyObject
        if status.object == nil { status = .emptyObject }
        status["replicas"] = .int(active.count)
        status["fullyLabeledReplicas"] = nonZero(active.filter { parsed.matches(object: $0) }.count)
        status["readyReplicas"] = nonZero(ready)
        status["availableReplicas"] = nonZero(ready)
        status["observedGeneration"] = rs["metadata"]?["generation"]
        try await writer.setStatus(Workload.replicaSets, of: rs, to: status)
    }
}

/// kube omits zero counts from workload status (`omitempty`); so does the simulation.
func nonZero(_ n: Int) -> JSON? { n == 0 ? nil : .int(n) }
