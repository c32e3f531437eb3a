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

/// Runs one operator: watches its resource (and the kinds it owns) in the chosen
/// namespaces, makes objects due in its scheduler, and has the processor handle them —
/// turning each pass's `Plan` back into due times.
///
/// Data flows one way: watch event → scheduler → processor (cause → handlers → steps →
/// API → one status write) → plan → scheduler.
public final class OperatorRunner: Sendable {
    public let loaded: LoadedOperator
    public let api: any KubeAPI
    /// nil: all namespaces (or the resource is cluster-scoped).
    public let namespaces: [String]?
    public let concurrency: Int
    public let logger: Logger
    public let counters: HandlerCounters
    public let clock: any RuntimeClock
    /// The process's one discovery cache (shared with every step of this operator).
    public let discovery: DiscoveryCache
    /// How long a child's change waits before its owner reconciles, so that a burst of
    /// changes makes one pass.
    public static let childDebounce: Duration = .seconds(1)
    /// How often discovery is refreshed in the background.
    public static let discoveryRefresh: Duration = .seconds(600)

    private let listedOnce = Mutex<Set<String>>([])
    private let watchCount = Mutex<Int>(0)
    private let active = Mutex<Active?>(nil)

    /// What a running operator is made of; set while `run` runs.
    struct Active: Sendable {
        let scheduler: Scheduler<ObjectKey>
        let processor: ObjectProcessor
        let children: OwnedChildren?
        let events: EventRecorder
    }

    public init(loaded: LoadedOperator, api: any KubeAPI, namespaces: [String]?, concurrency: Int, logger: Logger,
                counters: HandlerCounters = HandlerCounters(), clock: any RuntimeClock = SystemClock(), discovery: DiscoveryCache? = nil) {
        self.loaded = loaded
        self.api = api
        self.namespaces = namespaces
        self.concurrency = concurrency
        self.logger = logger
        self.counters = counters
        self.clock = clock
        self.discovery = discovery ?? DiscoveryCache(api: api)
    }

    /// True once every watch has listed its objects (for `/readyz`).
    public var isReady: Bool {
        let expected = watchCount.withLock { $0 }
        return expected > 0 && listedOnce.withLock { $0.count } >= expected
    }

    /// Objects due now or being handled (the `workqueue_depth` metric).
    public var queueDepth: Int { active.withLock { $0 }?.scheduler.depth ?? 0 }

    /// Finds the watched resource type, refusing to start when it cannot work.
    public func resolveResource() async throws -> ResourceInfo {
        let w = loaded.spec.watch
        let resolver = ResourceResolver(cache: discovery)
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

    /// The owned kinds, resolved; refuses to start when one is not served.
    func resolveOwned() async throws -> [ResourceInfo] {
        let resolver = ResourceResolver(cache: discovery)
        var out: [ResourceInfo] = []
        for owned in loaded.spec.owns {
            do {
                out.append(try await resolver.resolve(apiVersion: owned.apiVersion, kind: owned.kind))
            } catch let e as StepError {
                throw StartupError(message: "\(loaded.spec.name): owns \(owned.apiVersion) \(owned.kind): \(e.message)")
            }
        }
        return out
    }

    // MARK: - Running

    /// Runs until the task is cancelled; then stops watching, starts no new pass and no
    /// new step, and returns when the running steps have finished (`abort` cuts them
    /// short: the CLI calls it when the shutdown grace is over).
    public func run() async throws {
        let info = try await resolveResource()
        let ownedInfos = try await resolveOwned()
        let active = makeActive(info: info)
        self.active.withLock { $0 = active }
        defer { self.active.withLock { $0 = nil } }
        active.scheduler.start()

        let scopes: [String?] = info.namespaced ? (namespaces.map { $0.map(Optional.some) } ?? [nil]) : [nil]
        var watches: [(ResourceInfo, String?, Int?)] = scopes.map { (info, $0, nil) }
        for (index, owned) in ownedInfos.enumerated() {
            for scope in owned.namespaced ? scopes : [nil] { watches.append((owned, scope, index)) }
        }
        watchCount.withLock { $0 = watches.count }
        logger.info("operator starting", metadata: [
            "operator": .string(loaded.spec.name), "resource": .string(info.gvr.description),
            "namespaces": .string(scopes.map { $0 ?? "*" }.joined(separator: ",")),
            "handlers": .stringConvertible(loaded.spec.handlers.count),
            "owns": .string(ownedInfos.map(\.gvr.description).joined(separator: ",")),
        ])

        await withTaskGroup(of: Void.self) { group in
            group.addTask { [discovery] in await discovery.refreshPeriodically(every: Self.discoveryRefresh) }
            for (number, (watched, scope, owned)) in watches.enumerated() {
                group.addTask { [self] in
                    await watch(watched, namespace: scope, ownedIndex: owned, watchNumber: number, active: active)
                }
            }
            await group.waitForAll()
        }
        // Cancelled: no new pass, no new step; running steps finish (their progress is
        // in status) unless `abort` cancels them.
        active.processor.stop()
        active.scheduler.shutdown()
        await active.scheduler.drain()
        logger.info("operator stopped", metadata: ["operator": .string(loaded.spec.name)])
    }

    /// Cancels the running steps now (after the shutdown grace): each stops where its
    /// progress says, and a new process continues there.
    public func abort() {
        active.withLock { $0 }?.scheduler.cancelRunning()
    }

    func makeActive(info: ResourceInfo) -> Active {
        // jq evaluations take microseconds and use the CPU only: more compiled workers
        // than cores would cost memory (each holds a compiled program) and gain nothing.
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let pool = JQPool(program: loaded.program, maxWorkers: min(max(2, concurrency), max(2, cores)))
        let events = EventRecorder(api: api, component: "yopf/\(loaded.spec.name)", clock: clock, logger: logger)
        let children: OwnedChildren? = loaded.spec.owns.isEmpty ? nil
            : OwnedChildren(ownerGroup: info.gvr.group, ownerKind: info.kind, ownerNamespaced: info.namespaced)
        // The scheduler and the processor refer to each other (a freed concurrency slot
        // wakes a waiting object): through a holder set right after both exist.
        let schedulerHolder = Locked<Scheduler<ObjectKey>?>(nil)
        let processor = ObjectProcessor(
            spec: loaded, api: api, info: info, pool: pool, events: events, logger: logger, counters: counters, clock: clock,
            resolver: ResourceResolver(cache: discovery),
            wake: { key in schedulerHolder.value?.submit(key, .slot) },
            childWrites: { refs in children?.recordOwnWrites(refs) },
            confirmChildChange: { key in children?.takeChanges(key) ?? false })
        let scheduler = Scheduler<ObjectKey>(concurrency: concurrency, clock: clock) { key, work in
            // Stopped (a shutdown, or `yopf test` killing the operator): no new pass.
            if processor.isStopping { return }
            let plan = await processor.process(key: key, work: work)
            if Task.isCancelled { return }
            guard let scheduler = schedulerHolder.value else { return }
            if plan.gone {
                scheduler.cancel(key)
                processor.forget(key)
                children?.forget(key)
                return
            }
            for (reason, at) in plan.due { scheduler.submit(key, reason, at: at) }
        }
        schedulerHolder.set(scheduler)
        return Active(scheduler: scheduler, processor: processor, children: children, events: events)
    }

    // MARK: - Watching

    private func watch(_ watched: ResourceInfo, namespace: String?, ownedIndex: Int?, watchNumber: Int, active: Active) async {
        let selector: String?
        if let ownedIndex {
            var parts = ["\(Ownership.operatorLabel)=\(loaded.spec.name)"]
            if let extra = loaded.spec.owns[ownedIndex].selector, !extra.isEmpty { parts.append(extra.queryString) }
            selector = parts.joined(separator: ",")
        } else {
            selector = loaded.spec.watch.selector.flatMap { $0.isEmpty ? nil : $0.queryString }
        }
        // An object the runtime cannot take (nested deeper than any decoder should follow)
        // is skipped with a Warning Event naming it; every other object is still served.
        var settings = WatchSettings()
        let events = active.events
        let logger = self.logger
        settings.onUndecodable = { skipped in
            logger.warning("an object cannot be decoded; it is skipped", metadata: [
                "object": .string(skipped.description), "resource": .string(watched.gvr.description), "reason": .string(skipped.reason),
            ])
            guard let name = skipped.name else { return }
            var meta: JSON = ["name": .string(name)]
            if let ns = skipped.namespace { meta["namespace"] = .string(ns) }
            events.record(.init(object: ["apiVersion": .string(watched.gvr.apiVersion), "kind": .string(watched.kind), "metadata": meta],
                                type: "Warning", reason: "ObjectSkipped",
                                message: "yopf cannot take this object and skips it: \(skipped.reason)"))
        }
        let watcher = Watcher(api: api, gvr: watched.gvr, namespace: namespace, labelSelector: selector, settings: settings)
        let scopeName = "\(watched.gvr.resource)@\(namespace ?? "*")"
        var known = Set<ObjectKey>()
        for await event in watcher.events() {
            if let ownedIndex {
                deliverOwned(event, watched: watched, watchNumber: watchNumber, ownedIndex: ownedIndex, active: active)
            } else {
                deliver(event, known: &known, active: active)
            }
            switch event {
            case .listed(let keys):
                listedOnce.withLock { _ = $0.insert(scopeName) }
                logger.debug("listed", metadata: ["watch": .string(scopeName), "objects": .stringConvertible(keys.count)])
            case .restarted(let reason):
                logger.info("watch restarted", metadata: ["watch": .string(scopeName), "reason": .string(reason)])
            default: break
            }
        }
    }

    /// An event of the watched resource.
    func deliver(_ event: WatcherEvent, known: inout Set<ObjectKey>, active: Active) {
        switch event {
        case .upsert(let object):
            guard let key = ObjectKey(object) else { return }
            known.insert(key)
            // Our own status write coming back costs no pass (nor a copy of the object).
            if active.processor.isEchoOfOwnWrite(key, object) { return }
            active.scheduler.submit(key, .event, body: object.serializedBytes())
        case .deleted(let object):
            guard let key = ObjectKey(object) else { return }
            known.remove(key)
            forget(key, active: active)
        case .listed(let keys):
            for gone in known.subtracting(keys) { forget(gone, active: active) }
            known = keys
        case .restarted:
            break
        }
    }

    private func forget(_ key: ObjectKey, active: Active) {
        active.scheduler.cancel(key)
        active.processor.forget(key)
        active.children?.forget(key)
    }

    /// An event of an owned kind: its owner reconciles (debounced), unless it was ours.
    func deliverOwned(_ event: WatcherEvent, watched: ResourceInfo, watchNumber: Int, ownedIndex: Int, active: Active) {
        guard let children = active.children else { return }
        var owners: [ObjectKey] = []
        switch event {
        case .upsert(let child):
            if let owner = children.upsert(child, watch: watchNumber) { owners.append(owner) }
        case .deleted(let child):
            if let owner = children.deleted(child) { owners.append(owner) }
        case .listed(let keys):
            owners = children.listed(watch: watchNumber, group: watched.gvr.group, kind: watched.kind, present: keys)
        case .restarted:
            break
        }
        let at = clock.now + Self.childDebounce
        for owner in owners { active.scheduler.submit(owner, .childChanged, at: at) }
    }
}
