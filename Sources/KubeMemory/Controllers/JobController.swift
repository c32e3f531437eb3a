import Platform
import JSONValue
import Kube

/// kube-controller-manager's Job controller, simplified (non-indexed Jobs).
///
/// Runs up to `parallelism` pods at a time until `completions` (default 1) have succeeded,
/// or until more than `backoffLimit` (default 6) have failed. Pods are labelled `job-name`,
/// `batch.kubernetes.io/job-name`, `controller-uid` and `batch.kubernetes.io/controller-uid`
/// and carry the Job's `yopf.dev/simulate-*` annotations (the template's win), so a test
/// can script a Job's outcome on the Job itself. There is no backoff delay between retries,
/// and `restartPolicy: OnFailure` is treated like `Never` (a new pod per failure).
///
/// Status: startTime, active/succeeded/failed (zero counts omitted), ready, completionTime,
/// and the conditions SuccessCriteriaMet + Complete or FailureTarget + Failed (reason
/// BackoffLimitExceeded), as kube 1.31+ writes them. `suspend: true` runs no pods.
struct JobController: WorkloadController {
    let writer: WorkloadWriter
    var name: String { writer.manager }
    var watched: [GroupVersionResource] { [Workload.jobs, Workload.pods] }

    func keys(for gvr: GroupVersionResource, _ type: WatchEvent.EventType, _ object: JSON) -> [ObjectKey] {
        ownKey(object, when: gvr, is: Workload.jobs, ownerKind: "Job")
    }

    static func isFinished(_ job: JSON) -> Bool {
        (job["status"]?["conditions"]?.array ?? []).contains {
            ($0["type"]?.string == "Complete" || $0["type"]?.string == "Failed") && $0["status"]?.string == "True"
        }
    }

    func reconcile(_ key: ObjectKey) async throws {
        guard let job = try await writer.get(Workload.jobs, key), !job.isBeingDeleted else { return }
        let spec = job["spec"] ?? .emptyObject
        let finished = JobController.isFinished(job)
        let pods = try await writer.owned(Workload.pods, namespace: key.namespace, by: job.objectUID)
        var active = pods.filter(Workload.isActive)
        let succeededPods = pods.filter { Workload.phase(of: $0) == "Succeeded" }.count
        let failedPods = pods.filter { Workload.phase(of: $0) == "Failed" }.count
        // Counts never go back when someone deletes finished pods (kube tracks them with a finalizer).
        let succeeded = max(succeededPods, job["status"]?["succeeded"]?.int ?? 0)
        let failed = max(failedPods, job["status"]?["failed"]?.int ?? 0)
        let completions = max(1, spec["completions"]?.int ?? 1)
        let parallelism = max(0, spec["parallelism"]?.int ?? 1)
        let backoffLimit = max(0, spec["backoffLimit"]?.int ?? 6)
        let suspended = spec["suspend"]?.bool == true
        let now = Timestamp.now()

        var status = job["status"]?.object.map(JSON.object) ?? .emptyObject
        var conditions = status["conditions"]?.array ?? []
        if !finished {
            if failed > backoffLimit {
                for pod in active { try await writer.delete(Workload.pods, pod) }
                active = []
                conditions = Workload.setting("FailureTarget", status: "True", reason: "BackoffLimitExceeded",
                                              message: "Job has reached the specified backoff limit", in: conditions, now: now)
                conditions = Workload.setting("Failed", status: "True", reason: "BackoffLimitExceeded",
                                              message: "Job has reached the specified backoff limit", in: conditions, now: now)
            } else if succeeded >= completions {
                conditions = Workload.setting("SuccessCriteriaMet", status: "True", reason: "CompletionsReached",
                                              message: "Reached expected number of succeeded pods", in: conditions, now: now)
                conditions = Workload.setting("Complete", status: "True", reason: "CompletionsReached",
                                              message: "Reached expected number of succeeded pods", in: conditions, now: now)
                status["completionTime"] = .string(now)
            } else if !suspended {
                let wanted = min(parallelism, completions - succeeded)
                if active.count < wanted {
                    for _ in active.count..<wanted {
                        let pod = podFromTemplate(spec["template"] ?? .emptyObject, owner: job, name: nil,
                                                  generateName: job.objectName + "-",
                                                  extraLabels: jobLabels(job), extraAnnotations: simulateAnnotations(job))
                        try await writer.create(Workload.pods, namespace: key.namespace, pod)
                    }
                    active = try await writer.owned(Workload.pods, namespace: key.namespace, by: job.objectUID).filter(Workload.isActive)
                }
            }
            if !suspended, status["startTime"] == nil { status["startTime"] = .string(now) }
        }
        status["active"] = nonZero(active.count)
        status["succeeded"] = nonZero(succeeded)
        status["failed"] = nonZero(failed)
        status["ready"] = .int(active.filter(Workload.isReady).count)
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        try await writer.setStatus(Workload.jobs, of: job, to: status)
    }

    private func jobLabels(_ job: JSON) -> JSONObject {
        ["batch.kubernetes.io/controller-uid": .string(job.objectUID), "batch.kubernetes.io/job-name": .string(job.objectName),
         "controller-uid": .string(job.objectUID), "job-name": .string(job.objectName)]
    }

    private func simulateAnnotations(_ job: JSON) -> JSONObject {
        (job["metadata"]?["annotations"]?.object ?? [:]).filter { $0.key.hasPrefix(Workload.simulateAnnotationPrefix) }
    }
}
