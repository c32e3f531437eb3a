import Glibc
import JQ
import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps
import Synchronization

/// Errors that stop an operator from starting, with what to do about them.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Runs one operator: watches its resource in the chosen namespaces, feeds per-object
/// queues, runs the processor, schedules retries and timers.
///
/// Data flows one way: watch event → object queue → cause → handler → steps → API.
public final class OperatorRunner: Sendable {
    public let loaded: LoadedOperator
    public let api: any KubeAPI
    /// nil: all namespaces (or the resource is cluster-scoped).
    public let namespaces: [String]?
    public let concurrency: Int
    public let logger: Logger
    public let counters: HandlerCounters
    private let listedOnce = Mutex<Set<String>>([])
    private let watchCount = Mutex<Int>(0)
    private let queueHolder = Locked<ObjectQueue<ObjectKey, Trigger>?>(nil)
    private let timers = Mutex<[ObjectKey: [Task<Void, Never>]]>([:])
    /// At most one scheduled retry per object: a newer schedule replaces the older one, so
    /// that watch events arriving during a backoff do not pile up timers.
    private let retries = Mutex<[ObjectKey: Task<Void, Never>]>([:])

    public init(loaded: LoadedOperator, api: any KubeAPI, namespaces: [String]?, concurrency: Int, logger: Logger, counters: HandlerCounters = HandlerCounters()) {
        self.loaded = loaded
        self.api = api
        self.namespaces = namespaces
        self.concurrency = concurrency
        self.logger = logger
        self.counters = counters
    }

    /// True once every watch has listed its objects (for `/readyz`).
    public var isReady: Bool {
        let expected = watchCount.withLock { $0 }
        return expected > 0 && listedOnce.withLock { $0.count } >= expected
    }

    /// Objects waiting or being handled (the `workqueue_depth` metric).
    public var queueDepth: Int { queueHolder.value?.depth ?? 0 }

    /// Finds the watched resource type, refusing to start when it cannot work.
    public func resolveResource() async throws -> ResourceInfo {
        let w = loaded.spec.watch
        let resolver = ResourceResolver(api: api)
        let info: ResourceInfo
        do {
            if let plural = w.plural {
                info = try await resolver.resolve(GroupVersionResource(group: w.group, version: w.version, resource: plural))
            } else {
                info = try await resolver.resolve(apiVersion: w.apiVersion, kind: w.kind ?? "")
            }
        } catch let e as StepError {
            throw StartupError(message: "\(loaded.spec.name): cannot watch \(w.apiVersion) \(w.plural ?? w.kind ?? ""): \(e.message)")
        }
        try await checkStatusIsKept(info)
        return info
    }

    /// A CRD whose structural schema would prune `status.yopf` would make every handler
    /// run forever (progress written and silently dropped). Detect it before starting.
    func checkStatusIsKept(_ info: ResourceInfo) async throws {
        guard !info.gvr.group.isEmpty, !Self.builtinGroups.contains(info.gvr.group) else { return }
        let crdRef = ObjectRef(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"),
                               namespace: nil, name: "\(info.gvr.resource).\(info.gvr.group)")
        guard let crd = try? await api.get(crdRef) else { return }  // not allowed to read CRDs: cannot check
        for version in crd["spec"]?["versions"]?.array ?? [] where version["name"]?.string == info.gvr.version {
            guard let schema = version["schema"]?["openAPIV3Schema"] else { return }
            if schema["x-kubernetes-preserve-unknown-fields"]?.bool == true { return }
            guard let status = schema["properties"]?["status"] else {
                throw StartupError(message: "\(loaded.spec.name): the CRD \(crdRef.name) (version \(info.gvr.version)) has no `status` in its schema, so the API server drops what yopf records there. Add to the schema: `status: {type: object, x-kubernetes-preserve-unknown-fields: true}`")
            }
            if status["x-kubernetes-preserve-unknown-fields"]?.bool == true { return }
            if let yopf = status["properties"]?["yopf"], yopf["x-kubernetes-preserve-unknown-fields"]?.bool == true { return }
            throw StartupError(message: "\(loaded.spec.name): the CRD \(crdRef.name) (version \(info.gvr.version)) prunes unknown fields under `status`, which would drop `status.yopf` (handler progress). Set `x-kubernetes-preserve-unknown-fields: true` on `status` (or on `status.yopf`) in its openAPIV3Schema")
        }
    }

    static let builtinGroups: Set<String> = ["apps", "batch", "coordination.k8s.io", "rbac.authorization.k8s.io", "networking.k8s.io", "policy", "events.k8s.io", "autoscaling"]

    /// Runs until the task is cancelled; then stops watching and lets running handlers
    /// finish their current step (bounded by the caller).
    public func run() async throws {
        let info = try await resolveResource()
        // jq evaluations take microseconds and use the CPU only: more compiled workers
        // than cores would cost memory (each holds a compiled program) and gain nothing.
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let pool = JQPool(program: loaded.program, maxWorkers: min(max(2, concurrency), max(2, cores)))
        let events = EventRecorder(api: api, component: "yopf/\(loaded.spec.name)")
        defer { events.stop() }
        let processor = ObjectProcessor(spec: loaded, api: api, info: info, pool: pool, events: events, logger: logger, counters: counters)
        let timerHandlers = loaded.spec.handlers.filter { $0.on == .timer }

        // The queue calls back into itself for retries; hold it weakly through the holder.
        let holder = queueHolder
        let queue = ObjectQueue<ObjectKey, Trigger>(concurrency: concurrency, merge: Trigger.merge) { [self] key, trigger in
            let followup = await processor.process(key: key, trigger: trigger)
            switch followup {
            case .after(let delay):
                scheduleRetry(key, after: delay, holder: holder)
            case .none:
                cancelRetry(key)
            }
        }
        queueHolder.set(queue)

        let scopes: [String?] = info.namespaced ? (namespaces.map { $0.map(Optional.some) } ?? [nil]) : [nil]
        watchCount.withLock { $0 = scopes.count }
        logger.info("operator starting", metadata: [
            "operator": .string(loaded.spec.name), "resource": .string(info.gvr.description),
            "namespaces": .string(scopes.map { $0 ?? "*" }.joined(separator: ",")),
            "handlers": .stringConvertible(loaded.spec.handlers.count),
        ])

        await withTaskGroup(of: Void.self) { group in
            for scope in scopes {
                group.addTask { [self] in
                    await watch(info: info, namespace: scope, queue: queue, processor: processor, timerHandlers: timerHandlers)
                }
            }
            await group.waitForAll()
        }
        // Cancelled: stop timers and retries, let running handlers finish their current
        // step (their progress is in status), and wait for them.
        processor.stop()
        timers.withLock { all in
            for tasks in all.values { for t in tasks { t.cancel() } }
            all.removeAll()
        }
        retries.withLock { all in
            for t in all.values { t.cancel() }
            all.removeAll()
        }
        await queue.drain()
        // The queue's work refers back to this runner: let go of it so neither outlives the run.
        queueHolder.set(nil)
        logger.info("operator stopped", metadata: ["operator": .string(loaded.spec.name)])
    }

    private func watch(info: ResourceInfo, namespace: String?, queue: ObjectQueue<ObjectKey, Trigger>, processor: ObjectProcessor, timerHandlers: [HandlerSpec]) async {
        let selector = loaded.spec.watch.selector.flatMap { $0.isEmpty ? nil : $0.queryString }
        let watcher = Watcher(api: api, gvr: info.gvr, namespace: namespace, labelSelector: selector)
        var known = Set<ObjectKey>()
        let scopeName = namespace ?? "*"
        for await event in watcher.events() {
            switch event {
            case .upsert(let object):
                guard let key = ObjectKey(object) else { continue }
                known.insert(key)
                queue.submit(key, Trigger(object: object))
                startTimers(for: key, handlers: timerHandlers, queue: queue)
            case .deleted(let object):
                guard let key = ObjectKey(object) else { continue }
                known.remove(key)
                processor.forget(object)
                stopTimers(for: key)
                cancelRetry(key)
            case .listed(let keys):
                for gone in known.subtracting(keys) {
                    processor.forget(["metadata": ["namespace": gone.namespace.map { .string($0) } ?? .null, "name": .string(gone.name)]])
                    stopTimers(for: gone)
                }
                known = keys
                listedOnce.withLock { _ = $0.insert(scopeName) }
                logger.debug("listed", metadata: ["namespace": .string(scopeName), "objects": .stringConvertible(keys.count)])
            case .restarted(let reason):
                logger.info("watch restarted", metadata: ["namespace": .string(scopeName), "reason": .string(reason)])
            }
        }
    }

    /// Handles the object again after `delay`, reading it fresh (a retry's backoff).
    private func scheduleRetry(_ key: ObjectKey, after delay: Duration, holder: Locked<ObjectQueue<ObjectKey, Trigger>?>) {
        let task = Task {
            try? await Task.sleep(for: delay)
            if Task.isCancelled { return }
            holder.value?.submit(key, Trigger())
        }
        let previous = retries.withLock { $0.updateValue(task, forKey: key) }
        previous?.cancel()
        logger.debug("scheduled again", metadata: ["object": .string(key.description), "in": .string("\(delay)")])
    }

    private func cancelRetry(_ key: ObjectKey) {
        retries.withLock { $0.removeValue(forKey: key) }?.cancel()
    }

    private func startTimers(for key: ObjectKey, handlers: [HandlerSpec], queue: ObjectQueue<ObjectKey, Trigger>) {
        guard !handlers.isEmpty else { return }
        timers.withLock { all in
            if all[key] != nil { return }
            all[key] = handlers.compactMap { h in
                guard let interval = h.interval else { return nil }
                let first = h.initialDelay ?? interval
                return Task {
                    try? await Task.sleep(for: first)
                    while !Task.isCancelled {
                        queue.submit(key, Trigger(timers: [h.id]))
                        try? await Task.sleep(for: interval)
                    }
                }
            }
        }
    }

    private func stopTimers(for key: ObjectKey) {
        let tasks = timers.withLock { $0.removeValue(forKey: key) } ?? []
        for t in tasks { t.cancel() }
    }
}
