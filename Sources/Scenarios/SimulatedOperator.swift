import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Logging
import Platform
import Reactor
import Spec
import Steps

/// One operator running on an in-process cluster and a virtual clock, for `yopf test`:
/// the runtime's own scheduler, lifecycle and steps, fed every change of the cluster the
/// moment it is made (no watches, no ports, no real processes), with the world's
/// workloads simulated (`ScenarioWorkloads`) and commands in pods answered from a script
/// (`PodCommandScript`).
///
/// Time moves only when told: `settle` lets the operator work until it is idle or waits
/// for something more than `shortWait` away (virtual time moves through shorter waits —
/// client retries, a child's debounce — on its own); `advance` moves time on, stopping
/// at every due time on the way so the operator acts as it would have. Polls of waiting
/// steps (a Job to finish, a Deployment to be ready) look again whenever the world
/// changed, without time passing.
public final class SimulatedOperator: Sendable {
    public let loaded: LoadedOperator
    public let cluster: MemoryCluster
    public let clock: VirtualClock
    public let commands: PodCommandScript
    public let counters: HandlerCounters
    public let log: LogBuffer
    /// The operator's calls to the cluster, recorded and, when a scenario says, failed.
    public let api: OperatorAPI
    /// Waits shorter than this pass on their own while settling.
    public let shortWait: Duration
    /// How long (real time) settling may take before the operator is declared stuck on
    /// something that is not virtual (a real process, a lock).
    public let realTimeLimit: Duration
    let workloads: ScenarioWorkloads
    let podRunner: WorkloadSimulator
    let runner: OperatorRunner
    private let current = Locked<FedRun?>(nil)

    public init(loaded: LoadedOperator, cluster: MemoryCluster = MemoryCluster(), clock: VirtualClock = VirtualClock(),
                log: LogBuffer = LogBuffer(), logLevel: Logger.Level = .debug, concurrency: Int = 4,
                shortWait: Duration = .seconds(1), realTimeLimit: Duration = .seconds(30)) {
        self.loaded = loaded
        self.cluster = cluster
        self.clock = clock
        self.log = log
        self.shortWait = shortWait
        self.realTimeLimit = realTimeLimit
        let commands = PodCommandScript()
        self.commands = commands
        // Only its exec path is used (never started): commands go to the script.
        podRunner = WorkloadSimulator(cluster: cluster, runner: commands.runner)
        cluster.attachPodCommands(podRunner)
        workloads = ScenarioWorkloads(cluster: cluster, now: { [clock] in clock.timestamp })
        let counters = HandlerCounters()
        self.counters = counters
        let api = OperatorAPI(cluster: cluster)
        self.api = api
        runner = OperatorRunner(loaded: loaded, api: api, namespaces: nil, concurrency: concurrency,
                                logger: log.logger(level: logLevel, time: { [clock] in Self.virtualTime(clock) }),
                                counters: counters, clock: clock)
        let current = self.current
        let operatorName = loaded.spec.name
        let selector = loaded.spec.watch.selector.flatMap { $0.isEmpty ? nil : $0.queryString }
        let owns = loaded.spec.owns
        cluster.observe { change in
            guard let fed = current.value else { return }
            Self.route(change, to: fed, selector: selector, operatorName: operatorName, owns: owns)
        }
    }

    /// `+12m30s` since the scenario started.
    static func virtualTime(_ clock: VirtualClock) -> String {
        "+" + Durations.format(.milliseconds(clock.elapsed.microseconds / 1000))
    }

    /// The CRD the operator declares, if any (before `start`, like `yopf run`'s embedded cluster).
    public func installCRD() async throws {
        guard let manifest = loaded.spec.crdManifest() else { return }
        let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
        do {
            _ = try await cluster.create(crds, namespace: nil, body: manifest, options: WriteOptions(fieldManager: "yopf"))
        } catch let e as KubeError where e.code == 409 {}
    }

    // MARK: - Running

    /// Starts the operator as a process would: it lists what exists, then settles.
    public func start() async throws {
        let fed = try await runner.startFed()
        current.set(fed)
        try await listAll(fed)
        try await settle()
    }

    /// Kills the operator as SIGKILL would (passes in flight stop where they are).
    public func kill() async {
        guard let fed = current.value else { return }
        current.set(nil)
        await fed.kill()
    }

    /// A new process: it knows nothing but what the cluster holds.
    public func restart() async throws {
        await kill()
        try await start()
    }

    public func stop() async { await kill() }

    /// Lets the operator work until it is idle or waits for more than `shortWait`
    /// (or, with `until`, for something after it).
    public func settle(until limit: ContinuousClock.Instant? = nil) async throws {
        clock.nudge()
        for _ in 0..<10_000 {
            try await waitIdle()
            if try await workloads.sync() {
                clock.nudge()
                continue
            }
            if let next = clock.nextDeadline(includingPolls: false) {
                let bound = limit ?? (clock.now + shortWait)
                if next <= bound && next - clock.now <= shortWait {
                    clock.advance(to: next)
                    continue
                }
            }
            return
        }
        throw ScenarioRuntimeError("the operator kept working through 10,000 rounds without becoming idle (a loop?)")
    }

    /// Moves time on by `duration`, stopping at every due time on the way.
    public func advance(by duration: Duration) async throws {
        let target = clock.now + duration
        try await settle(until: target)
        while clock.now < target {
            let next = min(target, clock.nextDeadline(includingPolls: false) ?? target)
            clock.advance(to: max(next, clock.now))
            try await settle(until: target)
        }
    }

    /// The world changed outside the operator (a scenario action): waiting steps look again.
    public func worldChanged() { clock.nudge() }

    /// Completes or fails a Job, as its pods would have.
    public func completeJob(namespace: String, name: String) async throws {
        try await workloads.completeJob(namespace: namespace, name: name)
        clock.nudge()
    }

    public func failJob(namespace: String, name: String, exitCode: Int = 1, message: String? = nil, log: String? = nil) async throws {
        try await workloads.failJob(namespace: namespace, name: name, exitCode: exitCode, message: message, log: log)
        clock.nudge()
    }

    /// Waits (real time, bounded) until nothing can happen before the clock moves.
    func waitIdle() async throws {
        let deadline = ContinuousClock.now + realTimeLimit
        var stable = 0
        var lastPasses = -1
        var lastVersion = ""
        while stable < 3 {
            guard let fed = current.value else { return }
            let passes = fed.passes
            let version = cluster.currentResourceVersion
            if fed.isQuiescent(parkedOnClock: clock.parked) && passes == lastPasses && version == lastVersion {
                stable += 1
            } else {
                stable = 0
            }
            lastPasses = passes
            lastVersion = version
            if ContinuousClock.now > deadline {
                throw ScenarioRuntimeError("the operator did not become idle within \(realTimeLimit) of real time: a step waits for something that is not simulated (a real process, a network call)")
            }
            await Task.yield()
            try await Task.sleep(for: .microseconds(300))
        }
    }

    // MARK: - Feeding

    /// What a watch's first list delivers.
    private func listAll(_ fed: FedRun) async throws {
        let selector = loaded.spec.watch.selector.flatMap { $0.isEmpty ? nil : $0.queryString }
        let list = try await cluster.list(fed.info.gvr, namespace: nil, options: ListOptions(labelSelector: selector))
        var keys = Set<ObjectKey>()
        for item in list["items"]?.array ?? [] {
            guard let key = ObjectKey(item) else { continue }
            keys.insert(key)
            fed.deliver(.upsert(Self.withKind(item, fed.info)))
        }
        fed.deliver(.listed(keys: keys))
        for (index, info) in fed.owned.enumerated() {
            let ownedList = try await cluster.list(info.gvr, namespace: nil, options: ListOptions(labelSelector: Self.ownedSelector(loaded.spec.name, loaded.spec.owns[index])))
            var ownedKeys = Set<ObjectKey>()
            for item in ownedList["items"]?.array ?? [] {
                guard let key = ObjectKey(item) else { continue }
                ownedKeys.insert(key)
                fed.deliverOwned(.upsert(Self.withKind(item, info)), index: index)
            }
            fed.deliverOwned(.listed(keys: ownedKeys), index: index)
        }
    }

    static func withKind(_ item: JSON, _ info: ResourceInfo) -> JSON {
        guard item["kind"] == nil else { return item }
        var o = item
        o["apiVersion"] = .string(info.gvr.apiVersion)
        o["kind"] = .string(info.kind)
        return o
    }

    static func ownedSelector(_ operatorName: String, _ owned: OwnedKind) -> String {
        var parts = ["\(Ownership.operatorLabel)=\(operatorName)"]
        if let extra = owned.selector, !extra.isEmpty { parts.append(extra.queryString) }
        return parts.joined(separator: ",")
    }

    /// A change, to the operator's watch of its resource or of an owned kind (as a watch
    /// with that label selector would see it).
    static func route(_ change: ClusterChange, to fed: FedRun, selector: String?, operatorName: String, owns: [OwnedKind]) {
        let object = change.object
        if change.group == fed.info.gvr.group && change.resource == fed.info.gvr.resource {
            if change.type == .deleted || !labelSelector(selector, selects: object) {
                fed.deliver(.deleted(object))
            } else {
                fed.deliver(.upsert(object))
            }
        }
        for (index, info) in fed.owned.enumerated() where change.group == info.gvr.group && change.resource == info.gvr.resource {
            guard labelSelector(ownedSelector(operatorName, owns[index]), selects: object) else { continue }
            fed.deliverOwned(change.type == .deleted ? .deleted(object) : .upsert(object), index: index)
        }
    }
}

/// The simulated operator could not go on (stuck, or looping).
public struct ScenarioRuntimeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
