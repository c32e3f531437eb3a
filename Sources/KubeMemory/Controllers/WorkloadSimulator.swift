import JSONValue
import Kube
import Synchronization

/// The dev-cluster's stand-in for kube-controller-manager, kube-scheduler and a kubelet:
/// Deployments get ReplicaSets and Pods, StatefulSets get ordinal Pods, Jobs get Pods that
/// succeed or fail, and every Pod becomes Running and Ready. Commands in pods (exec, Job
/// containers) go to a `PodCommandRunner`.
///
/// It runs outside the store, as kube's controllers do: it lists and watches the
/// `MemoryCluster` through its `KubeAPI` and writes back with the field managers
/// `kube-controller-manager`, `kube-scheduler` and `kubelet`. Each controller reconciles one
/// object at a time from a de-duplicating queue (see the controller types for what each
/// simulates and what it leaves out).
///
/// Annotations that script a pod (on the Pod or its template, or on a Job, whose pods
/// inherit them):
/// - `yopf.dev/simulate-exit-code: "1"` — the containers' exit code (default 0);
/// - `yopf.dev/simulate-duration: "2s"` — how long they run (`500ms`, `1m`, plain seconds);
/// - `yopf.dev/simulate-log: "text"` — written to every container's log when it starts;
/// - `yopf.dev/simulate-termination-message: "…"` — `state.terminated.message`.
/// Except for `simulate-log`, their presence means the containers' commands are not run.
/// They apply to pods that run to completion (owned by a Job, or `restartPolicy` Never or
/// OnFailure); other pods run until deleted.
public final class WorkloadSimulator: Sendable {
    public struct Configuration: Sendable {
        /// How long a pod stays Pending (ContainerCreating) before it runs.
        public var podStartDelay: Duration
        /// The one node every pod is scheduled to (`spec.nodeName`).
        public var nodeName: String
        public var hostIP: String

        public init(podStartDelay: Duration = .milliseconds(100), nodeName: String = "yopf-dev-node", hostIP: String = "10.0.0.10") {
            self.podStartDelay = podStartDelay
            self.nodeName = nodeName
            self.hostIP = hostIP
        }
    }

    public let cluster: MemoryCluster
    public let runner: any PodCommandRunner
    public let configuration: Configuration
    let kubelet: KubeletSimulator
    let controllers: [any WorkloadController]
    private let running = Mutex<(tasks: [Task<Void, Never>], queues: [ReconcileQueue])>(([], []))

    public init(cluster: MemoryCluster, runner: any PodCommandRunner = ScriptedPodCommandRunner(),
                configuration: Configuration = Configuration()) {
        self.cluster = cluster
        self.runner = runner
        self.configuration = configuration
        kubelet = KubeletSimulator(api: cluster, logs: cluster.podLogStore, runner: runner, configuration: configuration)
        let writer = WorkloadWriter(api: cluster, manager: "kube-controller-manager")
        controllers = [
            DeploymentController(writer: writer), ReplicaSetController(writer: writer),
            StatefulSetController(writer: writer), JobController(writer: writer),
        ]
    }

    /// Starts watching and reconciling; returns at once. Calling it twice does nothing more.
    public func start() {
        running.withLock { r in
            guard r.tasks.isEmpty else { return }
            for controller in controllers {
                let queue = ReconcileQueue()
                r.queues.append(queue)
                r.tasks.append(Task {
                    await queue.process { key in
                        do {
                            try await controller.reconcile(key)
                        } catch is CancellationError {
                        } catch {
                            // A conflict or an injected fault: try again shortly, as a work queue would.
                            try? await Task.sleep(for: .milliseconds(100))
                            if !Task.isCancelled { queue.add(key) }
                        }
                    }
                })
                for gvr in controller.watched {
                    r.tasks.append(Task {
                        await WatchFeed(api: cluster, gvr: gvr).run { type, object in
                            for key in controller.keys(for: gvr, type, object) { queue.add(key) }
                        }
                    })
                }
            }
            let kubelet = self.kubelet
            r.tasks.append(Task {
                await WatchFeed(api: cluster, gvr: Workload.pods).run { type, object in kubelet.handle(type, object) }
            })
        }
    }

    /// Stops every watch, controller and pod (killing local processes) and waits for them.
    public func stop() async {
        let (tasks, queues) = running.withLock { r in
            defer { r = ([], []) }
            return (r.tasks, r.queues)
        }
        for q in queues { q.finish() }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
        await kubelet.stop()
    }
}
