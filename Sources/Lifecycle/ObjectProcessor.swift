import JQ
import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps
import Synchronization

/// Handles one object for the reasons it is due (one pass): reads it (the watch's body,
/// unless our own later write makes that stale), runs the lifecycle cycle its state
/// calls for (`+Cycle`), the timers and schedules that are due (`+Timers`), and returns
/// a `Plan` — when it is due again, and why — instead of sleeping or spawning tasks.
///
/// API writes per handled object: each step's own writes, one status write at the end
/// of the cycle, one more after each step that is not the last (so that a restarted
/// process resumes after it), and one metadata patch when a finalizer must be added.
/// A one-step create handler that makes one child therefore costs two writes.
///
/// Called by `OperatorRunner` (through the scheduler) and by `yopf test`; one pass per
/// object at a time.
public final class ObjectProcessor: Sendable {
    public let spec: LoadedOperator
    public let api: any KubeAPI
    public let info: ResourceInfo
    let evaluator: Evaluator
    let resolver: ResourceResolver
    let events: EventRecorder
    let logger: Logger
    let counters: HandlerCounters
    let clock: any RuntimeClock
    let memory: ObjectMemory
    let writer: StatusWriter
    let gate: ConcurrencyGate
    /// Told of every child a step wrote (with the version it left), so that the watch of
    /// owned kinds can tell our own writes from others'.
    let childWrites: @Sendable ([ChildRef]) -> Void
    /// Whether a child change flagged for an owner is still someone else's at its pass.
    let confirmChildChange: @Sendable (ObjectKey) -> Bool
    /// The field manager of yopf's writes (`metadata.managedFields`).
    public static let fieldManagerName = "yopf"
    let fieldManager = ObjectProcessor.fieldManagerName
    let finalizer: String
    let needsFinalizer: Bool
    /// Set when the process is stopping: running handlers finish their current step and
    /// start no other (their progress is persisted after every step).
    private let stopping = Atomic<Bool>(false)

    public init(
        spec: LoadedOperator, api: any KubeAPI, info: ResourceInfo, pool: JQPool, events: EventRecorder, logger: Logger,
        counters: HandlerCounters, clock: any RuntimeClock = SystemClock(), resolver: ResourceResolver? = nil,
        wake: @escaping @Sendable (ObjectKey) -> Void = { _ in }, childWrites: @escaping @Sendable ([ChildRef]) -> Void = { _ in },
        confirmChildChange: @escaping @Sendable (ObjectKey) -> Bool = { _ in true }
    ) {
        self.spec = spec
        self.api = api
        self.info = info
        self.evaluator = Evaluator(pool: pool)
        let resolver = resolver ?? ResourceResolver(api: api)
        self.resolver = resolver
        self.events = events
        self.logger = logger
        self.counters = counters
        self.clock = clock
        let memory = ObjectMemory(clock: clock)
        self.memory = memory
        self.finalizer = spec.spec.settings.finalizer
        self.needsFinalizer = spec.spec.needsFinalizer
        self.writer = StatusWriter(
            api: api, info: info, fieldManager: Self.fieldManagerName, finalizer: spec.spec.settings.finalizer,
            handlerConditionTypes: Self.conditionTypesSetByHandlers(spec.spec), resolver: resolver, memory: memory, clock: clock)
        self.gate = ConcurrencyGate(wake: wake)
        self.childWrites = childWrites
        self.confirmChildChange = confirmChildChange
    }

    static func conditionTypesSetByHandlers(_ spec: OperatorSpec) -> Set<String> {
        var types: Set<String> = []
        for h in spec.handlers {
            for step in h.steps {
                guard case .status(let action) = step.action else { continue }
                for c in action.patch.value["conditions"]?.array ?? [] {
                    if let t = c["type"]?.string, !t.includes("${{") { types.insert(t) }
                }
            }
        }
        return types
    }

    /// Stops starting steps: a handler that is running finishes its current step, keeps
    /// its progress and returns; a new process continues at the next step.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
    }

    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) || Task.isCancelled }

    /// Whether a watched body is the echo of this process's last write of the object:
    /// the pass that wrote it has seen that state already, so the event needs no pass.
    /// (An echo that arrives before the write's response is remembered is handled as any
    /// event: the pass finds nothing to do.)
    public func isEchoOfOwnWrite(_ key: ObjectKey, _ object: JSON) -> Bool {
        memory.isOwnWrite(key, body: object)
    }

    /// Forgets an object that is gone (its watch said so).
    public func forget(_ key: ObjectKey) {
        memory.forget(key)
        gate.forget(key)
    }

    /// The state of one pass: the object as the pass last saw or wrote it, what it keeps
    /// in `status.yopf`, and the concurrency slots it asked for.
    struct Pass {
        let key: ObjectKey
        var object: JSON
        let reasons: Set<ScheduleReason>
        let log: Logger
        var requestedSlots: Set<ConcurrencyGate.Slot> = []
    }

    // MARK: - Entry

    public func process(key: ObjectKey, work: ScheduledWork) async -> Plan {
        if isStopping { return .nothing }
        var plan = Plan()
        let now = clock.now
        var dueTimers = Set(work.reasons.compactMap { reason -> String? in
            if case .timer(let id) = reason { return id }
            return nil
        })
        var dueSchedules = Set(work.reasons.compactMap { reason -> String? in
            if case .schedule(let id) = reason { return id }
            return nil
        })
        let timerHandlers = spec.spec.handlers.filter { $0.on == .timer }
        let hasSchedules = spec.spec.handlers.contains { $0.on == .schedule }
        let firstSight = (!timerHandlers.isEmpty || hasSchedules) && memory.startTimers(key)
        if firstSight {
            for h in timerHandlers {
                guard let interval = h.interval else { continue }
                plan.add(.timer(h.id), at: now + (h.initialDelay ?? interval))
            }
        }
        let log = logger.with(object: key.description)

        var object: JSON? = nil
        if let bytes = work.body {
            do {
                let body = try JSON.parse(bytes)
                if !memory.isStale(key, body: body) { object = body }
            } catch {
                log.warning("the watch's copy of the object cannot be decoded; reading it", metadata: ["error": .string("\(error)")])
            }
        }
        if object == nil {
            do {
                object = try await api.get(ObjectRef(info.gvr, namespace: key.namespace, name: key.name))
            } catch let e as KubeError where e.code == 404 {
                return .gone
            } catch {
                if isStopping { return plan }
                log.warning("cannot read the object; trying again in 5s", metadata: ["error": .string("\(error)")])
                let retry = clock.now + .seconds(5)
                plan.add(.retry, at: retry)
                for id in dueTimers { plan.add(.timer(id), at: retry) }
                for id in dueSchedules { plan.add(.schedule(id), at: retry) }
                return plan
            }
        }
        var pass = Pass(key: key, object: object!, reasons: work.reasons, log: log)
        defer { gate.endPass(key, requested: pass.requestedSlots) }
        do {
            if let retry = try await lifecycle(&pass) { plan.add(.retry, at: retry) }
            if firstSight && hasSchedules { try await planSchedules(&pass, into: &plan) }
            for id in dueTimers.sorted() {
                if isStopping { break }
                let next = try await runTimer(id, &pass)
                dueTimers.remove(id)
                if let next { plan.add(.timer(id), at: next) }
            }
            for id in dueSchedules.sorted() {
                if isStopping { break }
                let next = try await runSchedule(id, &pass)
                dueSchedules.remove(id)
                if let next { plan.add(.schedule(id), at: next) }
            }
        } catch {
            if isStopping { return plan }
            log.error("handling failed; trying again in 10s", metadata: ["error": .string("\(error)")])
            let retry = clock.now + .seconds(10)
            plan.add(.retry, at: retry)
            // Timers and schedules due in a pass that failed run in its retry.
            for id in dueTimers { plan.add(.timer(id), at: retry) }
            for id in dueSchedules { plan.add(.schedule(id), at: retry) }
        }
        if let period = spec.spec.resync, pass.object["metadata"]?["deletionTimestamp"]?.isNull ?? true {
            plan.add(.resync, at: clock.now + Self.jittered(period))
        }
        return plan
    }

    /// A period with up to ±10% jitter, so that objects listed together do not all come
    /// due together.
    static func jittered(_ period: Duration) -> Duration {
        let micros = period.microseconds
        let spread = micros / 10
        guard spread > 0 else { return period }
        return .microseconds(micros - spread + Int.random(in: 0...(2 * spread)))
    }
}

extension Logger {
    func with(object: String) -> Logger { var l = self; l[metadataKey: "object"] = .string(object); return l }
    func with(handler: String) -> Logger { var l = self; l[metadataKey: "handler"] = .string(handler); return l }
    func with(step: String) -> Logger { var l = self; l[metadataKey: "step"] = .string(step); return l }
}
