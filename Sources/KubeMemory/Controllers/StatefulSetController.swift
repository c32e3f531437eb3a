import JSONValue
import Kube

/// kube-controller-manager's StatefulSet controller, simplified: pods `<name>-0` …
/// `<name>-(N-1)` with stable names, labelled `statefulset.kubernetes.io/pod-name`,
/// `apps.kubernetes.io/pod-index` and `controller-revision-hash`.
///
/// With `podManagementPolicy: OrderedReady` (the default) a pod is created only when every
/// lower ordinal is Running and Ready; with `Parallel` all at once. Scaling down deletes the
/// highest ordinals. A template change replaces outdated pods one at a time from the
/// highest ordinal while the others are Ready (`RollingUpdate`; `OnDelete` leaves them).
/// Failed pods are deleted and recreated. volumeClaimTemplates are not simulated.
struct StatefulSetController: WorkloadController {
    let writer: WorkloadWriter
    var name: String { writer.manager }
    var watched: [GroupVersionResource] { [Workload.statefulSets, Workload.pods] }

    func keys(for gvr: GroupVersionResource, _ type: WatchEvent.EventType, _ object: JSON) -> [ObjectKey] {
        ownKey(object, when: gvr, is: Workload.statefulSets, ownerKind: "StatefulSet")
    }

    func reconcile(_ key: ObjectKey) async throws {
        guard let sts = try await writer.get(Workload.statefulSets, key), !sts.isBeingDeleted else { return }
        let spec = sts["spec"] ?? .emptyObject
        let desired = max(0, spec["replicas"]?.int ?? 1)
        let template = spec["template"]?.object.map(JSON.object) ?? .emptyObject
        let revision = sts.objectName + "-" + Workload.templateHash(template)
        let parallel = spec["podManagementPolicy"]?.string == "Parallel"
        let name = sts.objectName

        var pods: [Int: JSON] = [:]
        for pod in try await writer.owned(Workload.pods, namespace: key.namespace, by: sts.objectUID) {
            let podName = pod.objectName
            guard podName.hasPrefix(name + "-"), let ordinal = Int(podName.dropFirst(name.count + 1)) else { continue }
            pods[ordinal] = pod
        }
        // Surplus ordinals go, highest first.
        for ordinal in pods.keys.sorted(by: >) where ordinal >= desired {
            if let pod = pods[ordinal], !pod.isBeingDeleted { try await writer.delete(Workload.pods, pod) }
            pods[ordinal] = nil
        }
        // Failed pods are replaced.
        for (ordinal, pod) in pods where Workload.phase(of: pod) == "Failed" && !pod.isBeingDeleted {
            try await writer.delete(Workload.pods, pod)
            pods[ordinal] = nil
        }
        for ordinal in 0..<desired where pods[ordinal] == nil {
            if !parallel {
                let lowerReady = (0..<ordinal).allSatisfy { pods[$0].map { Workload.isReady($0) && Workload.isActive($0) } ?? false }
                if !lowerReady { break }
            }
            let extra: JSONObject = [
                "statefulset.kubernetes.io/pod-name": .string("\(name)-\(ordinal)"),
                "apps.kubernetes.io/pod-index": .string(String(ordinal)),
                "controller-revision-hash": .string(revision),
            ]
            var pod = podFromTemplate(template, owner: sts, name: "\(name)-\(ordinal)", generateName: nil, extraLabels: extra)
            pod.set(.string("\(name)-\(ordinal)"), at: ["spec", "hostname"])
            if let service = spec["serviceName"]?.string, !service.isEmpty { pod.set(.string(service), at: ["spec", "subdomain"]) }
            do {
                try await writer.create(Workload.pods, namespace: key.namespace, pod)
                pods[ordinal] = pod
            } catch let e as KubeError where e.code == 409 {
                // The old pod of this ordinal is still there (being deleted); a later pass retries.
                break
            }
            if !parallel { break }  // one at a time; the next waits for this one to be Ready
        }
        // Rolling update: replace the highest outdated pod once all others are Ready.
        let updateType = spec["updateStrategy"]?["type"]?.string ?? "RollingUpdate"
        let existing = pods.filter { $0.key < desired }
        if updateType == "RollingUpdate", existing.count == desired,
           existing.values.allSatisfy(Workload.isReady),
           let outdated = existing.filter({ Workload.labels(of: $0.value)["controller-revision-hash"]?.string != revision })
               .max(by: { $0.key < $1.key })?.value {
            try await writer.delete(Workload.pods, outdated)
        }

        let current = try await writer.owned(Workload.pods, namespace: key.namespace, by: sts.objectUID).filter(Workload.isActive)
        let ready = current.filter(Workload.isReady).count
        let updated = current.filter { Workload.labels(of: $0)["controller-revision-hash"]?.string == revision }.count
        var status = sts["status"]?.object.map(JSON.object) ?? .emptyObject
        status["observedGeneration"] = sts["metadata"]?["generation"]
        status["replicas"] = .int(current.count)
        status["readyReplicas"] = nonZero(ready)
        status["availableReplicas"] = .int(ready)
        status["currentReplicas"] = nonZero(updated == current.count ? updated : current.count - updated)
        status["updatedReplicas"] = nonZero(updated)
        status["updateRevision"] = .string(revision)
        if updated == current.count || status["currentRevision"] == nil { status["currentRevision"] = .string(revision) }
        status["collisionCount"] = 0
        try await writer.setStatus(Workload.statefulSets, of: sts, to: status)
    }
}
