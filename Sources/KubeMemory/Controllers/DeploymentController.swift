import Platform
import JSONValue
import Kube

/// kube-controller-manager's Deployment controller, simplified.
///
/// Each pod template gets a ReplicaSet `<deployment>-<pod-template-hash>` (the hash also
/// labels its selector and pods). Rollouts work like the `Recreate` strategy whatever the
/// declared strategy: when the template changes, the old ReplicaSets are scaled to 0 first,
/// and the new one is scaled up once their pods are gone. Old ReplicaSets are kept at 0
/// replicas (the rollout history), up to `revisionHistoryLimit` (default 10).
///
/// Status: replicas, updatedReplicas, readyReplicas, availableReplicas,
/// unavailableReplicas (zero counts omitted, as kube omits them), observedGeneration, and
/// the conditions `Available` (at least `replicas - maxUnavailable` available) and
/// `Progressing` (`NewReplicaSetAvailable` once the rollout is complete).
struct DeploymentController: WorkloadController {
    let writer: WorkloadWriter
    var name: String { writer.manager }
    var watched: [GroupVersionResource] { [Workload.deployments, Workload.replicaSets] }

    static let revisionAnnotation = "deployment.kubernetes.io/revision"

    func keys(for gvr: GroupVersionResource, _ type: WatchEvent.EventType, _ object: JSON) -> [ObjectKey] {
        ownKey(object, when: gvr, is: Workload.deployments, ownerKind: "Deployment")
    }

    func reconcile(_ key: ObjectKey) async throws {
        guard let deployment = try await writer.get(Workload.deployments, key), !deployment.isBeingDeleted else { return }
        let spec = deployment["spec"] ?? .emptyObject
        let desired = max(0, spec["replicas"]?.int ?? 1)
        let template = spec["template"]?.object.map(JSON.object) ?? .emptyObject
        let hash = Workload.templateHash(template)
        var sets = try await writer.owned(Workload.replicaSets, namespace: key.namespace, by: deployment.objectUID)
        let isNew = { (rs: JSON) in Workload.labels(of: rs)["pod-template-hash"]?.string == hash }
        let old = sets.filter { !isNew($0) && !$0.isBeingDeleted }
        let oldPods = old.reduce(0) { $0 + ($1["status"]?["replicas"]?.int ?? 0) }
        let oldScaledDown = old.allSatisfy { ($0["spec"]?["replicas"]?.int ?? 0) == 0 }
        // Recreate: the new ReplicaSet grows only once no old pod is left.
        let newReplicas = oldPods == 0 && oldScaledDown ? desired : 0

        for rs in old where (rs["spec"]?["replicas"]?.int ?? 0) != 0 {
            try await writer.patch(Workload.replicaSets, rs, ["spec": ["replicas": 0]])
            await scalingEvent(deployment, rs, from: rs["spec"]?["replicas"]?.int ?? 0, to: 0)
        }
        let revision = revisionOf(deployment, sets: sets, newHash: hash)
        var created = false
        if let current = sets.first(where: isNew) {
            if (current["spec"]?["replicas"]?.int ?? -1) != newReplicas {
                try await writer.patch(Workload.replicaSets, current, ["spec": ["replicas": .int(newReplicas)]])
                await scalingEvent(deployment, current, from: current["spec"]?["replicas"]?.int ?? 0, to: newReplicas)
            }
        } else {
            let rs = replicaSet(for: deployment, template: template, hash: hash, replicas: newReplicas, revision: revision)
            do {
                try await writer.create(Workload.replicaSets, namespace: key.namespace, rs)
                created = true
                if newReplicas > 0 { await scalingEvent(deployment, rs, from: 0, to: newReplicas) }
            } catch let e as KubeError where e.code == 409 {
                // Created by an earlier pass whose list did not see it yet; the next pass adopts it.
            }
            sets = try await writer.owned(Workload.replicaSets, namespace: key.namespace, by: deployment.objectUID)
        }
        try await pruneHistory(deployment, sets: sets, newHash: hash)
        if deployment["metadata"]?["annotations"]?[DeploymentController.revisionAnnotation]?.string != String(revision) {
            try await writer.patch(Workload.deployments, deployment,
                                   ["metadata": ["annotations": [DeploymentController.revisionAnnotation: .string(String(revision))]]])
        }
        try await updateStatus(deployment, desired: desired, sets: sets.filter { !$0.isBeingDeleted }, newHash: hash, created: created)
    }

    /// The `ScalingReplicaSet` event kube's deployment controller records on the Deployment.
    private func scalingEvent(_ deployment: JSON, _ rs: JSON, from: Int, to: Int) async {
        let message = to > from ? "Scaled up replica set \(rs.objectName) to \(to)" : "Scaled down replica set \(rs.objectName) to \(to) from \(from)"
        await writer.event(about: deployment, kind: "Deployment", apiVersion: "apps/v1", reason: "ScalingReplicaSet", message: message,
                           component: "deployment-controller")
    }

    private func replicaSet(for deployment: JSON, template: JSON, hash: String, replicas: Int, revision: Int) -> JSON {
        var template = template
        template.set(.string(hash), at: ["metadata", "labels", "pod-template-hash"])
        var selector = deployment["spec"]?["selector"]?.object.map(JSON.object) ?? .emptyObject
        selector.set(.string(hash), at: ["matchLabels", "pod-template-hash"])
        var labels = template["metadata"]?["labels"] ?? .emptyObject
        labels["pod-template-hash"] = .string(hash)
        let name = deployment.objectName + "-" + hash
        return [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string(name), "namespace": .string(deployment.objectNamespace), "labels": labels,
                "annotations": [
                    "deployment.kubernetes.io/revision": .string(String(revision)),
                    "deployment.kubernetes.io/desired-replicas": .string(String(deployment["spec"]?["replicas"]?.int ?? 1)),
                    "deployment.kubernetes.io/max-replicas": .string(String(deployment["spec"]?["replicas"]?.int ?? 1)),
                ],
                "ownerReferences": [Workload.controllerReference(to: deployment)],
            ],
            "spec": ["replicas": .int(replicas), "selector": selector, "template": template,
                     "minReadySeconds": deployment["spec"]?["minReadySeconds"] ?? 0],
        ]
    }

    /// The revision of the current template: its ReplicaSet's, or one past the highest.
    private func revisionOf(_ deployment: JSON, sets: [JSON], newHash: String) -> Int {
        func revision(_ rs: JSON) -> Int { Int(rs["metadata"]?["annotations"]?[DeploymentController.revisionAnnotation]?.string ?? "") ?? 0 }
        if let current = sets.first(where: { Workload.labels(of: $0)["pod-template-hash"]?.string == newHash }) {
            return max(1, revision(current))
        }
        return (sets.map(revision).max() ?? 0) + 1
    }

    /// Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit`.
    private func pruneHistory(_ deployment: JSON, sets: [JSON], newHash: String) async throws {
        let limit = max(0, deployment["spec"]?["revisionHistoryLimit"]?.int ?? 10)
        let old = sets.filter {
            Workload.labels(of: $0)["pod-template-hash"]?.string != newHash && !$0.isBeingDeleted
                && ($0["spec"]?["replicas"]?.int ?? 0) == 0 && ($0["status"]?["replicas"]?.int ?? 0) == 0
        }
        guard old.count > limit else { return }
        let byAge = old.sorted {
            (Int($0["metadata"]?["annotations"]?[DeploymentController.revisionAnnotation]?.string ?? "") ?? 0)
                < (Int($1["metadata"]?["annotations"]?[DeploymentController.revisionAnnotation]?.string ?? "") ?? 0)
        }
        for rs in byAge.prefix(old.count - limit) { try await writer.delete(Workload.replicaSets, rs) }
    }

    private func updateStatus(_ deployment: JSON, desired: Int, sets: [JSON], newHash: String, created: Bool) async throws {
        func count(_ field: String, _ of: [JSON]) -> Int { of.reduce(0) { $0 + ($1["status"]?[field]?.int ?? 0) } }
        let newSets = sets.filter { Workload.labels(of: $0)["pod-template-hash"]?.string == newHash }
        let replicas = count("replicas", sets)
        let updated = count("replicas", newSets)
        let ready = count("readyReplicas", sets)
        let available = count("availableReplicas", sets)
        let newName = newSets.first?.objectName ?? (deployment.objectName + "-" + newHash)
        let now = Timestamp.now()

        var status = deployment["status"]?.object.map(JSON.object) ?? .emptyObject
        status["observedGeneration"] = deployment["metadata"]?["generation"]
        status["replicas"] = nonZero(replicas)
        status["updatedReplicas"] = nonZero(updated)
        status["readyReplicas"] = nonZero(ready)
        status["availableReplicas"] = nonZero(available)
        status["unavailableReplicas"] = nonZero(max(0, desired - available))
        var conditions = status["conditions"]?.array ?? []
        let minimum = max(0, desired - maxUnavailable(deployment, desired: desired))
        conditions = available >= minimum
            ? Workload.setting("Available", status: "True", reason: "MinimumReplicasAvailable",
                               message: "Deployment has minimum availability.", in: conditions, now: now, updateTime: true)
            : Workload.setting("Available", status: "False", reason: "MinimumReplicasUnavailable",
                               message: "Deployment does not have minimum availability.", in: conditions, now: now, updateTime: true)
        let complete = updated == desired && replicas == desired && available == desired
        let (reason, message): (String, String) = complete
            ? ("NewReplicaSetAvailable", "ReplicaSet \"\(newName)\" has successfully progressed.")
            : created
                ? ("NewReplicaSetCreated", "Created new replica set \"\(newName)\"")
                : ("ReplicaSetUpdated", "ReplicaSet \"\(newName)\" is progressing.")
        conditions = Workload.setting("Progressing", status: "True", reason: reason, message: message,
                                      in: conditions, now: now, updateTime: true)
        status["conditions"] = .array(conditions)
        try await writer.setStatus(Workload.deployments, of: deployment, to: status)
    }

    /// `spec.strategy.rollingUpdate.maxUnavailable` (a count or a percentage rounded down,
    /// 25% by default); 0 for the Recreate strategy, as kube computes it.
    private func maxUnavailable(_ deployment: JSON, desired: Int) -> Int {
        let strategy = deployment["spec"]?["strategy"]
        if strategy?["type"]?.string == "Recreate" { return 0 }
        let value = strategy?["rollingUpdate"]?["maxUnavailable"] ?? "25%"
        if let n = value.int { return max(0, n) }
        if let s = value.string, s.hasSuffix("%"), let p = Int(s.dropLast()) { return max(0, desired * p / 100) }
        return 0
    }
}
