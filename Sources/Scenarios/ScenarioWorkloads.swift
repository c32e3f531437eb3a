import JSONValue
import Kube
import KubeMemory

/// What kube's controllers and kubelet would do, done at once and in order, for `yopf
/// test`: a Deployment or StatefulSet gets its pods, Running and Ready, and a status that
/// says so; a Pod a scenario declares without a status runs. Jobs are left alone — a
/// scenario completes or fails them (`completeJob`, `failJob`), so that it decides what a
/// backup or a restore does.
///
/// `sync` is called by `SimulatedOperator` whenever the operator is idle, until it writes
/// nothing more; it is deterministic (pod names come from the owner's name).
struct ScenarioWorkloads: Sendable {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let statefulSets = GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    static let manager = WriteOptions(fieldManager: "kube-controller-manager")

    let cluster: MemoryCluster
    /// The wall time for status timestamps.
    let now: @Sendable () -> String

    /// One round; true when it changed anything.
    func sync() async throws -> Bool {
        var changed = false
        for gvr in [Self.deployments, Self.statefulSets] {
            for workload in try await cluster.list(gvr, namespace: nil)["items"]?.array ?? [] {
                changed = try await syncWorkload(workload, gvr: gvr) || changed
            }
        }
        for pod in try await cluster.list(Self.pods, namespace: nil)["items"]?.array ?? [] where pod["status"]?["phase"] == nil {
            try await run(pod)
            changed = true
        }
        return changed
    }

    private func syncWorkload(_ workload: JSON, gvr: GroupVersionResource) async throws -> Bool {
        guard workload["metadata"]?["deletionTimestamp"] == nil else { return false }
        let namespace = workload["metadata"]?["namespace"]?.string ?? "default"
        let name = workload["metadata"]?["name"]?.string ?? ""
        let uid = workload["metadata"]?["uid"]?.string ?? ""
        let replicas = workload["spec"]?["replicas"]?.int ?? 1
        let template = workload["spec"]?["template"] ?? [:]
        let owned = (try await cluster.list(Self.pods, namespace: namespace)["items"]?.array ?? [])
            .filter { ($0["metadata"]?["ownerReferences"]?.array ?? []).contains { $0["uid"]?.string == uid } }
            .sorted { ($0["metadata"]?["name"]?.string ?? "") < ($1["metadata"]?["name"]?.string ?? "") }
        var changed = false
        // A changed template replaces the pods (a rollout, at once).
        let hash = String(template.serialized(sortedKeys: true).utf8.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 }, radix: 16)
        var current = owned.filter { $0["metadata"]?["labels"]?["pod-template-hash"]?.string == hash }
        for stale in owned where !current.contains(where: { $0["metadata"]?["uid"] == stale["metadata"]?["uid"] }) {
            _ = try? await cluster.delete(ObjectRef(Self.pods, namespace: namespace, name: stale["metadata"]?["name"]?.string ?? ""))
            changed = true
        }
        while current.count > replicas, let last = current.popLast() {
            _ = try? await cluster.delete(ObjectRef(Self.pods, namespace: namespace, name: last["metadata"]?["name"]?.string ?? ""))
            changed = true
        }
        var index = 0
        while current.count < replicas {
            let podName = gvr == Self.statefulSets ? "\(name)-\(index)" : "\(name)-\(hash.prefix(8))-\(index)"
            index += 1
            if current.contains(where: { $0["metadata"]?["name"]?.string == podName }) { continue }
            var pod: JSON = ["apiVersion": "v1", "kind": "Pod", "spec": template["spec"] ?? [:]]
            var labels = template["metadata"]?["labels"]?.object ?? [:]
            labels["pod-template-hash"] = .string(hash)
            pod["metadata"] = [
                "name": .string(podName), "namespace": .string(namespace), "labels": .object(labels),
                "annotations": template["metadata"]?["annotations"] ?? [:],
                "ownerReferences": [[
                    "apiVersion": workload["apiVersion"] ?? "apps/v1", "kind": workload["kind"] ?? "Deployment", "name": .string(name),
                    "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
                ]],
            ]
            pod["spec"]?["nodeName"] = "yopf-test-node"
            let created = try await cluster.create(Self.pods, namespace: namespace, body: pod, options: Self.manager)
            try await run(created)
            current.append(created)
            changed = true
        }
        var status: JSON = [
            "observedGeneration": workload["metadata"]?["generation"] ?? 1, "replicas": .int(replicas),
            "readyReplicas": .int(replicas), "availableReplicas": .int(replicas), "updatedReplicas": .int(replicas),
            "currentReplicas": .int(replicas),
        ]
        if gvr == Self.deployments {
            // Kept as they are once set, so that a settled Deployment is not written again.
            let existing = workload["status"]?["conditions"]?.array ?? []
            let available = existing.first { $0["type"] == "Available" }
            if available?["status"] != "True" {
                status["conditions"] = [
                    ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                     "message": "Deployment has minimum availability.", "lastTransitionTime": .string(now())],
                    ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                     "message": "ReplicaSet has successfully progressed.", "lastTransitionTime": .string(now())],
                ]
            }
        }
        let old = workload["status"] ?? [:]
        var desired = old
        for (k, v) in status.object ?? [:] { desired[k] = v }
        if desired != old {
            _ = try await cluster.patch(ObjectRef(gvr, namespace: namespace, name: name), subresource: "status", type: .merge,
                                        body: ["status": old.mergePatch(to: desired)], options: Self.manager)
            changed = true
        }
        return changed
    }

    /// The pod runs: Running and Ready, every container started.
    private func run(_ pod: JSON) async throws {
        let containers = (pod["spec"]?["containers"]?.array ?? []).map { c -> JSON in
            ["name": c["name"] ?? "", "ready": true, "started": true, "restartCount": 0, "image": c["image"] ?? "",
             "state": ["running": ["startedAt": .string(now())]]]
        }
        let status: JSON = [
            "phase": "Running", "podIP": "10.244.0.10", "hostIP": "10.0.0.10", "startTime": .string(now()),
            "conditions": [
                ["type": "PodScheduled", "status": "True"], ["type": "Initialized", "status": "True"],
                ["type": "ContainersReady", "status": "True"], ["type": "Ready", "status": "True"],
            ],
            "containerStatuses": .array(containers),
        ]
        _ = try await cluster.patch(
            ObjectRef(Self.pods, namespace: pod["metadata"]?["namespace"]?.string, name: pod["metadata"]?["name"]?.string ?? ""),
            subresource: "status", type: .merge, body: ["status": status], options: WriteOptions(fieldManager: "kubelet"))
    }

    // MARK: Jobs, as a scenario decides

    /// The Job finished: Complete, with one succeeded pod.
    func completeJob(namespace: String, name: String) async throws {
        let ref = ObjectRef(Self.jobs, namespace: namespace, name: name)
        _ = try await cluster.get(ref)
        _ = try await cluster.patch(ref, subresource: "status", type: .merge, body: ["status": [
            "succeeded": 1, "active": 0, "completionTime": .string(now()), "startTime": .string(now()),
            "conditions": [["type": "Complete", "status": "True", "lastTransitionTime": .string(now())]],
        ]], options: Self.manager)
    }

    /// The Job failed: Failed (BackoffLimitExceeded), with a failed pod whose container
    /// ended with `exitCode`, `message` as its termination message and `log` as its log.
    func failJob(namespace: String, name: String, exitCode: Int, message: String?, log: String?) async throws {
        let ref = ObjectRef(Self.jobs, namespace: namespace, name: name)
        let job = try await cluster.get(ref)
        let uid = job["metadata"]?["uid"]?.string ?? ""
        let container = job["spec"]?["template"]?["spec"]?["containers"]?[0]?["name"]?.string ?? "main"
        var annotations: JSON = [:]
        if let log { annotations["yopf.dev/simulate-log"] = .string(log) }
        let failures = (job["status"]?["failed"]?.int ?? 0) + 1
        let pod: JSON = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string("\(name)-failed-\(failures)"), "namespace": .string(namespace),
                "labels": ["batch.kubernetes.io/controller-uid": .string(uid), "controller-uid": .string(uid), "job-name": .string(name)],
                "annotations": annotations,
                "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": .string(name), "uid": .string(uid), "controller": true]],
            ],
            "spec": job["spec"]?["template"]?["spec"] ?? ["containers": [["name": .string(container), "image": "none"]]],
        ]
        let created = try await cluster.create(Self.pods, namespace: namespace, body: pod, options: Self.manager)
        var terminated: JSON = ["exitCode": .int(exitCode), "reason": "Error", "finishedAt": .string(now())]
        if let message { terminated["message"] = .string(message) }
        _ = try await cluster.patch(
            ObjectRef(Self.pods, namespace: namespace, name: created["metadata"]?["name"]?.string ?? ""), subresource: "status",
            type: .merge, body: ["status": [
                "phase": "Failed",
                "containerStatuses": [["name": .string(container), "ready": false, "restartCount": 0, "image": "none",
                                       "state": ["terminated": terminated]]],
            ]], options: WriteOptions(fieldManager: "kubelet"))
        if let log { cluster.recordPodLog(namespace: namespace, pod: created["metadata"]?["name"]?.string ?? "", container: container, text: log) }
        _ = try await cluster.patch(ref, subresource: "status", type: .merge, body: ["status": [
            "failed": .int(failures), "active": 0,
            "conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                            "message": "Job has reached the specified backoff limit", "lastTransitionTime": .string(now())]],
        ]], options: Self.manager)
    }
}
