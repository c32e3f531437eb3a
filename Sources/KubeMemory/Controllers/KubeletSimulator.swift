import Platform
import JSONValue
import Kube
import Synchronization

/// What the scheduler and a node's kubelet do for every pod, simulated.
///
/// A new pod is bound to the one simulated node and reported `Pending` (containers
/// `ContainerCreating`); after `podStartDelay` it is `Running` with Ready, ContainersReady,
/// Initialized and PodScheduled conditions, a podIP (10.244.x.y), hostIP and startTime.
///
/// Pods that run to completion — owned by a Job, or with `restartPolicy` Never or
/// OnFailure — then run their containers one after another and end `Succeeded` (all exit 0)
/// or `Failed`, with each container `terminated` (exitCode, reason Completed/Error, message).
/// A container runs in one of two ways:
/// - when the pod has any `yopf.dev/simulate-*` annotation, as the annotations say
///   (`simulate-duration`, `simulate-exit-code`, `simulate-termination-message`); nothing runs;
/// - otherwise its `command` + `args` (with `$(VAR)` expanded) go to the `PodCommandRunner`,
///   whose stdout and stderr become the container's log. A container without a command
///   exits 0 at once (there is no image to take an entrypoint from).
/// `yopf.dev/simulate-log` is written to every container's log when it starts, for any pod.
/// Init containers are not run. Other pods stay Running until deleted.
final class KubeletSimulator: Sendable {
    let kubelet: WorkloadWriter
    let scheduler: WorkloadWriter
    let logs: PodLogStore
    let runner: any PodCommandRunner
    let configuration: WorkloadSimulator.Configuration
    let environment: ContainerEnvironment
    /// Lifecycle tasks by pod uid, kept until the pod is deleted so a pod is started once.
    private let lifecycles = Mutex<[String: Task<Void, Never>]>([:])
    private let nextIP = Atomic<Int>(0)

    init(api: any KubeAPI, logs: PodLogStore, runner: any PodCommandRunner, configuration: WorkloadSimulator.Configuration) {
        kubelet = WorkloadWriter(api: api, manager: "kubelet")
        scheduler = WorkloadWriter(api: api, manager: "kube-scheduler")
        self.logs = logs
        self.runner = runner
        self.configuration = configuration
        environment = ContainerEnvironment(api: api)
    }

    func handle(_ type: WatchEvent.EventType, _ pod: JSON) {
        let uid = pod.objectUID
        guard !uid.isEmpty else { return }
        if type == .deleted {
            lifecycles.withLock { $0.removeValue(forKey: uid) }?.cancel()
            logs.remove(uid: uid)
            return
        }
        if pod.isBeingDeleted || pod["status"]?["startTime"] != nil { return }
        lifecycles.withLock { tasks in
            guard tasks[uid] == nil else { return }
            tasks[uid] = Task { [self] in
                do { try await run(pod) } catch {}
            }
        }
    }

    /// Cancels every pod's lifecycle (and with it any local process) and waits for them.
    func stop() async {
        let tasks = lifecycles.withLock { all in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
    }

    static func runsToCompletion(_ pod: JSON) -> Bool {
        if Workload.controller(of: pod)?.kind == "Job" { return true }
        let policy = pod["spec"]?["restartPolicy"]?.string ?? "Always"
        return policy == "Never" || policy == "OnFailure"
    }

    private func current(_ pod: JSON) async throws -> JSON? {
        let found = try await persistently { try await kubelet.get(Workload.pods, ObjectKey(namespace: pod.objectNamespace, name: pod.objectName)) }
        guard let found, found.objectUID == pod.objectUID, !found.isBeingDeleted else { return nil }
        return found
    }

    private func run(_ created: JSON) async throws {
        let uid = created.objectUID
        let containers = (created["spec"]?["containers"]?.array ?? []).filter { $0["name"]?.string != nil }
        if (created["spec"]?["nodeName"]?.string ?? "").isEmpty {
            try await persistently { try await scheduler.patch(Workload.pods, created, ["spec": ["nodeName": .string(configuration.nodeName)]]) }
        }
        let scheduledAt = Timestamp.now()
        guard let pending = try await current(created) else { return }
        try await persistently { try await kubelet.setStatus(Workload.pods, of: pending, to: pendingStatus(pending, containers, scheduledAt)) }
        try await Task.sleep(for: configuration.podStartDelay)

        guard let starting = try await current(created) else { return }
        let startedAt = Timestamp.now()
        let n = nextIP.wrappingAdd(1, ordering: .relaxed).newValue
        let podIP = "10.244.\((n / 250) % 250).\(n % 250 + 2)"
        let annotations = starting["metadata"]?["annotations"]?.object ?? [:]
        for c in containers {
            let name = c["name"]?.string ?? ""
            logs.start(uid: uid, container: name)
            if let text = annotations["yopf.dev/simulate-log"]?.string {
                logs.append(uid: uid, container: name, Array((text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8))
            }
        }
        var running = runningStatus(starting, containers, scheduledAt: scheduledAt, startedAt: startedAt, podIP: podIP)
        try await persistently { [running] in try await kubelet.setStatus(Workload.pods, of: starting, to: running) }
        guard KubeletSimulator.runsToCompletion(starting) else { return }

        var results: [String: (exitCode: Int32, message: String?, finishedAt: String)] = [:]
        for c in containers {
            let name = c["name"]?.string ?? ""
            let (code, message) = try await runContainer(starting, c, annotations: annotations)
            results[name] = (code, message, Timestamp.now())
        }
        guard let finishing = try await current(created) else { return }
        let succeeded = results.values.allSatisfy { $0.exitCode == 0 }
        running["phase"] = succeeded ? "Succeeded" : "Failed"
        let now = Timestamp.now()
        var conditions = running["conditions"]?.array ?? []
        for type in ["Ready", "ContainersReady"] {
            conditions = Workload.setting(type, status: "False", reason: "PodCompleted", message: "", in: conditions, now: now)
                .map { $0["type"]?.string == type ? removingEmptyMessage($0) : $0 }
        }
        running["conditions"] = .array(conditions)
        running["containerStatuses"] = .array(containers.map { c in
            let name = c["name"]?.string ?? ""
            var s = containerStatus(c, ready: false)
            let r = results[name] ?? (0, nil, now)
            var terminated: JSON = ["exitCode": .int(Int(r.exitCode)), "reason": r.exitCode == 0 ? "Completed" : "Error",
                                    "startedAt": .string(startedAt), "finishedAt": .string(r.finishedAt),
                                    "containerID": s["containerID"] ?? .null]
            if let m = r.message, !m.isEmpty { terminated["message"] = .string(m) }
            s["started"] = false
            s["state"] = ["terminated": terminated]
            return s
        })
        try await persistently { [running] in try await kubelet.setStatus(Workload.pods, of: finishing, to: running) }
        // `kubectl logs -f` ends once the pod shows its containers terminated.
        for c in containers { logs.end(uid: uid, container: c["name"]?.string ?? "") }
    }

    /// Retries what the API server refused for a passing reason (409, 429, 5xx), as a
    /// kubelet keeps trying to report status; a pod's lifecycle must not stop at one fault.
    private func persistently<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let e as KubeError where (e.code == 409 || e.code == 429 || e.code >= 500) && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(20 * min(attempt, 10)))
            }
        }
    }

    private func removingEmptyMessage(_ condition: JSON) -> JSON {
        var c = condition
        if c["message"]?.string == "" { c["message"] = nil }
        return c
    }

    /// Runs one container of a run-to-completion pod: its exit code and termination message.
    private func runContainer(_ pod: JSON, _ container: JSON, annotations: JSONObject) async throws -> (Int32, String?) {
        let name = container["name"]?.string ?? ""
        let scripted = annotations.keys.contains { $0.hasPrefix(Workload.simulateAnnotationPrefix) && $0 != "yopf.dev/simulate-log" }
        if scripted {
            if let text = annotations["yopf.dev/simulate-duration"]?.string, let d = Workload.duration(text) {
                try await Task.sleep(for: d)
            }
            let code = annotations["yopf.dev/simulate-exit-code"]?.string.flatMap { Int32($0.trimmingBlanks()) } ?? 0
            return (code, annotations["yopf.dev/simulate-termination-message"]?.string)
        }
        let env = await environment.resolve(pod: pod, container: container)
        let argv = ((container["command"]?.array ?? []) + (container["args"]?.array ?? []))
            .compactMap(\.string).map { ContainerEnvironment.expand($0, env) }
        if argv.isEmpty { return (0, nil) }
        let output = PodLogOutput(store: logs, uid: pod.objectUID, container: name)
        let code: Int32
        do {
            code = try await runner.run(PodCommand(pod: pod, container: name, argv: argv, environment: env),
                                        stdin: NoPodInput(), stdout: output, stderr: output)
        } catch let e as PodCommandError {
            // What a container runtime reports when the program cannot be started.
            return (128, e.message)
        }
        var message: String?
        if code != 0, container["terminationMessagePolicy"]?.string == "FallbackToLogsOnError" {
            let log = String(decoding: logs.log(uid: pod.objectUID, container: name) ?? [], as: UTF8.self)
            message = String(decoding: Array(PodLogStore.tail(log, lines: 80).utf8.suffix(2048)), as: UTF8.self)
        }
        return (code, message)
    }

    // MARK: Status documents

    private func containerStatus(_ c: JSON, ready: Bool) -> JSON {
        let name = c["name"]?.string ?? ""
        let image = c["image"]?.string ?? ""
        return ["name": .string(name), "image": .string(image), "imageID": .string(image.isEmpty ? "" : "simulated://" + image),
                "containerID": .string("simulated://" + Workload.templateHash(.string(name + image)) + name),
                "ready": .bool(ready), "started": .bool(ready), "restartCount": 0, "lastState": .emptyObject]
    }

    private func pendingStatus(_ pod: JSON, _ containers: [JSON], _ now: String) -> JSON {
        [
            "phase": "Pending", "qosClass": "BestEffort",
            "hostIP": .string(configuration.hostIP), "hostIPs": [["ip": .string(configuration.hostIP)]],
            "conditions": .array(Workload.setting("PodScheduled", status: "True", reason: "Scheduled", message: "", in: [], now: now)
                .map(removingEmptyMessage).map { var c = $0; c["reason"] = nil; c["lastProbeTime"] = .null; return c }),
            "containerStatuses": .array(containers.map { c in
                var s = containerStatus(c, ready: false)
                s["containerID"] = nil
                s["state"] = ["waiting": ["reason": "ContainerCreating"]]
                return s
            }),
        ]
    }

    private func runningStatus(_ pod: JSON, _ containers: [JSON], scheduledAt: String, startedAt: String, podIP: String) -> JSON {
        var conditions: [JSON] = []
        for type in ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"] {
            conditions.append(["type": .string(type), "status": "True", "lastProbeTime": .null,
                               "lastTransitionTime": .string(type == "PodScheduled" ? scheduledAt : startedAt)])
        }
        return [
            "phase": "Running", "qosClass": "BestEffort", "startTime": .string(startedAt),
            "hostIP": .string(configuration.hostIP), "hostIPs": [["ip": .string(configuration.hostIP)]],
            "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
            "conditions": .array(conditions),
            "containerStatuses": .array(containers.map { c in
                var s = containerStatus(c, ready: true)
                s["state"] = ["running": ["startedAt": .string(startedAt)]]
                return s
            }),
        ]
    }
}
