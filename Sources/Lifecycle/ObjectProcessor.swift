import JQ
import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps
import Synchronization

/// What made an object come up for handling.
public struct Trigger: Sendable {
    /// The newest body from the watch (nil: read it fresh, e.g. after a retry delay).
    public var object: JSON?
    /// Timer handlers due now.
    public var timers: Set<String>

    public init(object: JSON? = nil, timers: Set<String> = []) {
        self.object = object
        self.timers = timers
    }

    /// Two triggers waiting together: the newer body, all the timers.
    public static func merge(_ a: Trigger, _ b: Trigger) -> Trigger {
        Trigger(object: b.object ?? a.object, timers: a.timers.union(b.timers))
    }
}

/// What the processor wants next for an object.
public enum Followup: Sendable, Equatable {
    case none
    /// Handle again after this delay (a retry's backoff), reading the object fresh.
    case after(Duration)
}

/// Handles one object: decides the cause, runs the matching handlers step by step,
/// and writes progress, results, conditions and the diff base to its status.
///
/// API writes per handled object: each step's own writes, one status write at the end
/// of the cycle, one more after each step that is not the last (so that a restarted
/// process resumes after it), and one metadata patch when a finalizer must be added.
/// A one-step create handler that makes one child therefore costs two writes.
public final class ObjectProcessor: Sendable {
    public let spec: LoadedOperator
    public let api: any KubeAPI
    public let info: ResourceInfo
    let evaluator: Evaluator
    let resolver: ResourceResolver
    let events: EventRecorder
    let logger: Logger
    let fieldManager: String
    let counters: HandlerCounters
    /// Condition types that handlers set through `status` steps: yopf leaves them to
    /// the handlers (a timer that reports readiness owns `Ready`).
    let handlerConditionTypes: Set<String>
    /// Objects already considered in this process (resume runs once per object per process).
    private let resumed = Mutex<Set<String>>([])
    /// The resourceVersion of our last write per object: an event older than it is stale.
    private let written = Mutex<[String: Int]>([:])
    /// Set when the process is stopping: running handlers finish their current step and
    /// start no other (their progress is persisted after every step).
    private let stopping = Atomic<Bool>(false)
    /// Timer handlers waiting for a retry, per object: a retry comes back as a plain
    /// trigger (no timers), so the processor remembers which timers asked for it.
    private let retryingTimers = Mutex<[String: Set<String>]>([:])

    public init(spec: LoadedOperator, api: any KubeAPI, info: ResourceInfo, pool: JQPool, events: EventRecorder, logger: Logger, counters: HandlerCounters) {
        self.spec = spec
        self.api = api
        self.info = info
        self.evaluator = Evaluator(pool: pool)
        self.resolver = ResourceResolver(api: api)
        self.events = events
        self.logger = logger
        self.fieldManager = "yopf"
        self.counters = counters
        self.handlerConditionTypes = Self.conditionTypesSetByHandlers(spec.spec)
    }

    static func conditionTypesSetByHandlers(_ spec: OperatorSpec) -> Set<String> {
        var types: Set<String> = []
        for h in spec.handlers {
            for step in h.steps {
                guard case .status(let action) = step.action else { continue }
                for c in action.patch.value["conditions"]?.array ?? [] {
                    if let t = c["type"]?.string, !t.contains("${{") { types.insert(t) }
                }
            }
        }
        return types
    }

    var finalizer: String { spec.spec.settings.finalizer }
    var needsFinalizer: Bool { spec.spec.needsFinalizer }

    static func key(_ object: JSON) -> String {
        let m = object["metadata"] ?? [:]
        return (m["namespace"]?.string ?? "") + "/" + (m["name"]?.string ?? "")
    }

    /// Stops starting steps: a handler that is running finishes its current step, keeps
    /// its progress and returns; a new process continues at the next step.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
    }

    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Forgets an object that is gone.
    public func forget(_ object: JSON) {
        let k = Self.key(object)
        resumed.withLock { _ = $0.remove(k) }
        written.withLock { _ = $0.removeValue(forKey: k) }
        retryingTimers.withLock { _ = $0.removeValue(forKey: k) }
    }

    // MARK: - Entry

    public func process(key: ObjectKey, trigger: Trigger) async -> Followup {
        if isStopping { return .none }
        var object: JSON
        if let body = trigger.object, !isStale(body) {
            object = body
        } else {
            do {
                object = try await api.get(ObjectRef(info.gvr, namespace: key.namespace, name: key.name))
            } catch let e as KubeError where e.code == 404 {
                return .none
            } catch {
                logger.warning("cannot read the object", metadata: ["object": .string(key.description), "error": .string("\(error)")])
                keepTimers(trigger.timers, for: key)
                return .after(.seconds(5))
            }
        }
        let log = logger.with(object: key.description)
        // Timers that are due and have not run yet: a pass that fails before they ran hands
        // them to its retry, or they would wait for their next interval.
        var due = trigger.timers
        do {
            var followup = try await handleLifecycle(&object, log: log)
            let k = Self.key(object)
            due.formUnion(retryingTimers.withLock { $0.removeValue(forKey: k) } ?? [])
            for timer in due.sorted() {
                let f = try await handleTimer(timer, &object, log: log)
                due.remove(timer)
                guard case .after(let d) = f else { continue }
                retryingTimers.withLock { _ = $0[k, default: []].insert(timer) }
                if case .after(let current) = followup, current <= d { continue }
                followup = f
            }
            return followup
        } catch {
            log.error("handling failed", metadata: ["error": .string("\(error)")])
            keepTimers(due, for: key)
            return .after(.seconds(10))
        }
    }

    private func keepTimers(_ timers: Set<String>, for key: ObjectKey) {
        guard !timers.isEmpty else { return }
        let k = (key.namespace ?? "") + "/" + key.name
        retryingTimers.withLock { $0[k, default: []].formUnion(timers) }
    }

    private func isStale(_ object: JSON) -> Bool {
        guard let rv = object["metadata"]?["resourceVersion"]?.string.flatMap({ Int($0) }) else { return false }
        let last = written.withLock { $0[Self.key(object)] }
        return last.map { rv < $0 } ?? false
    }

    private func remember(_ object: JSON) {
        guard let rv = object["metadata"]?["resourceVersion"]?.string.flatMap({ Int($0) }) else { return }
        written.withLock { $0[Self.key(object)] = rv }
    }

    // MARK: - Lifecycle causes

    private func handleLifecycle(_ object: inout JSON, log: Logger) async throws -> Followup {
        let deleting = object["metadata"]?["deletionTimestamp"].map { !$0.isNull } ?? false
        let k = Self.key(object)
        let firstSight = resumed.withLock { $0.insert(k).inserted }
        if !deleting, let filter = spec.spec.watch.filter {
            let scope = Scope(object: object)
            if !(try await evaluator.isTrue(filter, scope)) { return .none }
        }
        let state = ObjectState(object: object)
        guard let cause = CauseDetector.detect(
            object: object, state: state, finalizer: finalizer, resumedInThisProcess: !firstSight, digest: Self.digest)
        else {
            if !deleting { try await ensureFinalizer(&object) }
            return .none
        }
        let purpose: Purpose
        switch cause {
        case .create: purpose = .create
        case .update: purpose = .update
        case .delete: purpose = .delete
        case .resume: purpose = .resume
        }
        if purpose != .delete { try await ensureFinalizer(&object) }

        var variables: [String: JSON] = ["new": object]
        if case .update(let old, let diff) = cause {
            variables["old"] = old ?? .null
            variables["diff"] = .array(diff.map(\.json))
            if old == nil {
                log.warning("the last handled state was too big to keep; $old and $diff are empty and field handlers run on any change")
            }
        }
        let handlers = try await select(for: purpose, cause: cause, object: object)
        if purpose == .resume && handlers.isEmpty && state.cycle == nil {
            // Nothing to run and nothing changed: a restart costs no writes.
            return .none
        }

        var newState = state
        let now = Timestamp.now()
        if let c = state.cycle, c.purpose == purpose {
            // Continue the cycle a previous process (or leader) left unfinished.
        } else {
            newState.cycle = ObjectState.Cycle(id: state.lastCycle + 1, purpose: purpose, started: now)
        }
        let cycle = newState.cycle!
        var statusExtra: JSON = [:]
        var failures: [String] = []

        for (position, handler) in handlers.enumerated() {
            var record = newState.progress[handler.id].flatMap { $0.cycle == cycle.id ? $0 : nil }
                ?? ProgressRecord(cycle: cycle.id, purpose: purpose)
            if record.isFinished {
                if record.failure { failures.append(handler.id) }
                continue
            }
            if let wait = record.delayed.flatMap(RetryTime.remaining(until:)) {
                return .after(wait)
            }
            let isLast = position == handlers.count - 1
            let outcome = try await runHandler(handler, record: &record, object: &object, variables: variables,
                                               state: &newState, statusExtra: &statusExtra, writeBetweenSteps: true,
                                               finalWriteFollows: isLast, log: log)
            newState.progress[handler.id] = record
            switch outcome {
            case .done:
                if record.failure { failures.append(handler.id) }
                if !isLast {
                    try await writeStatus(&object, state: newState, extra: statusExtra, conditions: progressing(purpose, handler: handler.id))
                }
            case .retry(let delay):
                try await writeStatus(&object, state: newState, extra: statusExtra, conditions: retrying(handler: handler.id, message: record.message ?? ""))
                return .after(delay)
            case .stopped:
                // Progress up to the last finished step is written; the next process continues.
                return .none
            }
        }

        // The cycle is complete.
        newState.cycle = nil
        newState.lastCycle = cycle.id
        if purpose != .delete {
            let essence = Essence.of(object)
            if essence.serialized().utf8.count > Self.diffBaseLimit {
                newState.handled = nil
                newState.handledDigest = Self.digest(essence)
                log.warning("spec, labels and annotations are larger than \(Self.diffBaseLimit) bytes: keeping a digest instead of the last handled state")
            } else {
                newState.handled = essence
                newState.handledDigest = nil
            }
        }
        let conditions: [Condition]
        if failures.isEmpty {
            conditions = [
                Condition("Ready", .true, reason: "Handled", message: "\(purpose.rawValue) handled"),
                Condition("Progressing", .false, reason: "Idle", message: ""),
                Condition("Degraded", .false, reason: "Handled", message: ""),
            ]
        } else {
            let msg = "handler(s) failed: \(failures.joined(separator: ", "))"
            conditions = [
                Condition("Ready", .false, reason: "HandlerFailed", message: msg),
                Condition("Progressing", .false, reason: "Idle", message: ""),
                Condition("Degraded", .true, reason: "HandlerFailed", message: msg),
            ]
        }
        if purpose == .delete {
            if failures.isEmpty {
                try await releaseLabelOwnedChildren(object, log: log)
                try await removeFinalizer(&object)
                log.info("deletion handled; finalizer removed")
            } else {
                // The finalizer stays: deletion waits for the owner of the resource to act.
                try await writeStatus(&object, state: newState, extra: statusExtra, conditions: conditions)
            }
            return .none
        }
        try await writeStatus(&object, state: newState, extra: statusExtra, conditions: conditions)
        return .none
    }

    /// The handlers for a cause, in file order, after `field:` and `when:`.
    private func select(for purpose: Purpose, cause: Cause, object: JSON) async throws -> [HandlerSpec] {
        var out: [HandlerSpec] = []
        let event: HandlerEvent
        switch purpose {
        case .create: event = .create
        case .update: event = .update
        case .delete: event = .delete
        case .resume: event = .resume
        case .timer: event = .timer
        }
        for h in spec.spec.handlers where h.on == event {
            if let field = h.field, case .update(let old, let diff) = cause {
                if let old {
                    if old.value(at: field) == object.value(at: field) && !diff.contains(where: { $0.path.starts(with: field) }) {
                        continue
                    }
                } // without the old state every field handler runs
            }
            if let when = h.when {
                var scope = Scope(object: object)
                if case .update(let old, let diff) = cause {
                    scope.variables = ["old": old ?? .null, "new": object, "diff": .array(diff.map(\.json))]
                }
                if !(try await evaluator.isTrue(when, scope)) { continue }
            }
            out.append(h)
        }
        return out
    }

    enum HandlerOutcome {
        case done
        case retry(Duration)
        /// The process is stopping; the record says which step is next.
        case stopped
    }

    /// Runs a handler from the step its record says, updating the record.
    private func runHandler(
        _ handler: HandlerSpec, record: inout ProgressRecord, object: inout JSON, variables: [String: JSON],
        state: inout ObjectState, statusExtra: inout JSON, writeBetweenSteps: Bool, finalWriteFollows: Bool, log: Logger
    ) async throws -> HandlerOutcome {
        let hlog = log.with(handler: handler.id)
        let now = Timestamp.now()
        if record.started == nil { record.started = now }
        record.delayed = nil
        let startedSeconds = record.started.flatMap(Timestamp.parseSeconds) ?? Timestamp.nowSeconds()
        var handlerDeadline: ContinuousClock.Instant? = nil
        if let timeout = handler.timeout {
            let spent = Timestamp.nowSeconds() - startedSeconds
            let left = timeout - .seconds(spent)
            if left <= .zero {
                return fail(handler, &record, message: "timed out after \(timeout) (overall, across retries)", permanent: true, log: hlog, object: object)
            }
            handlerDeadline = ContinuousClock.now + left
        }
        let redactor = Redactor(object: object, old: variables["old"])
        var scope = Scope(object: object, variables: variables)
        scope.steps = .object(record.steps)
        let owner = object
        // A tenant's ServiceAccount, when the handler names one: its steps run with its rights.
        let handlerAPI: any KubeAPI
        do {
            handlerAPI = try await HandlerCredentials.api(for: handler, operator: spec.spec, object: object, scope: scope, base: api, evaluator: evaluator)
        } catch let error as StepError {
            return fail(handler, &record, message: redactor.redact(error.message), permanent: error.permanent, log: hlog, object: object)
        }
        let env = StepEnvironment(
            api: handlerAPI, resolver: resolver, evaluator: evaluator, owner: object, ownerInfo: info, fieldManager: fieldManager,
            operatorDirectory: spec.folder, logger: hlog,
            postEvent: { [events] type, reason, message in events.record(.init(object: owner, type: type, reason: reason, message: message)) },
            redact: { redactor.redact($0) })
        let clock = ContinuousClock.now
        while record.step < handler.steps.count {
            if isStopping { return .stopped }
            let step = handler.steps[record.step]
            let slog = hlog.with(step: step.displayName)
            do {
                slog.debug("step starting")
                let outcome = try await StepRunner.run(step, scope: scope, env: env, handlerDeadline: handlerDeadline)
                if let outcome {
                    if let name = step.name {
                        let kept = StepOutputs.cap(outcome.output)
                        record.steps[name] = kept
                        scope.steps = .object(record.steps)
                    }
                    if let patch = outcome.statusPatch { statusExtra = statusExtra.mergePatched(with: patch) }
                    if case .object(let o) = outcome.output, let objects = o["objects"]?.array {
                        try await trackLabelOwned(objects, object: &object, state: &state)
                    }
                }
                record.step += 1
                if record.step < handler.steps.count && writeBetweenSteps {
                    // Persist the resume point: the step's side effects are done.
                    state.progress[handler.id] = record
                    try await writeStatus(&object, state: state, extra: statusExtra, conditions: progressing(state.cycle?.purpose ?? .create, handler: handler.id))
                }
            } catch let error as StepError {
                let message = redactor.redact(error.message)
                if error.permanent {
                    return fail(handler, &record, message: message, permanent: true, log: slog, object: object)
                }
                return fail(handler, &record, message: message, permanent: false, log: slog, object: object)
            }
        }
        // Success.
        if let result = handler.result {
            do {
                let value = try await evaluator.value(result, scope)
                statusExtra[handler.id] = value
            } catch let error as StepError {
                return fail(handler, &record, message: "result: \(redactor.redact(error.message))", permanent: true, log: hlog, object: object)
            }
        }
        record.success = true
        record.failure = false
        record.stopped = Timestamp.now()
        record.message = nil
        let seconds = Double((ContinuousClock.now - clock).components.attoseconds) / 1e18 + Double((ContinuousClock.now - clock).components.seconds)
        counters.record(handler: handler.id, outcome: "success", seconds: seconds)
        hlog.info("handler succeeded", metadata: ["retries": .stringConvertible(record.retries)])
        events.record(.init(object: object, type: "Normal", reason: "HandlerSucceeded", message: "handler \(handler.id) succeeded"))
        return .done
    }

    private func fail(_ handler: HandlerSpec, _ record: inout ProgressRecord, message: String, permanent: Bool, log: Logger, object: JSON) -> HandlerOutcome {
        record.retries += 1
        record.message = message
        // `retries` counts attempts after the first failure (HandlerSpec.retries).
        let exhausted = handler.retries.map { record.retries > $0 } ?? false
        if permanent || exhausted {
            record.failure = true
            record.success = false
            record.stopped = Timestamp.now()
            let why = permanent ? "failed permanently" : "failed after \(record.retries) attempt(s)"
            log.error("handler \(why)", metadata: ["error": .string(message)])
            counters.record(handler: handler.id, outcome: "failure", seconds: 0)
            events.record(.init(object: object, type: "Warning", reason: "HandlerFailed", message: "handler \(handler.id) \(why): \(message)"))
            return .done
        }
        let delay = handler.backoff.delay(beforeRetry: record.retries)
        record.delayed = RetryTime.after(delay)
        log.warning("handler failed; will retry", metadata: ["error": .string(message), "retry": .stringConvertible(record.retries), "in": .string("\(delay)")])
        counters.record(handler: handler.id, outcome: "retry", seconds: 0)
        // The same words on every attempt, so that the recorder aggregates repeats into one
        // Event with a count (attempt and delay are in the progress record and the logs).
        events.record(.init(object: object, type: "Warning", reason: "HandlerRetrying", message: "handler \(handler.id) failed, will retry: \(message)"))
        return .retry(delay)
    }

    // MARK: - Timers

    private func handleTimer(_ id: String, _ object: inout JSON, log: Logger) async throws -> Followup {
        guard let handler = spec.spec.handlers.first(where: { $0.id == id && $0.on == .timer }) else { return .none }
        if isStopping { return .none }
        if object["metadata"]?["deletionTimestamp"].map({ !$0.isNull }) ?? false { return .none }
        if let filter = spec.spec.watch.filter, !(try await evaluator.isTrue(filter, Scope(object: object))) { return .none }
        if let when = handler.when, !(try await evaluator.isTrue(when, Scope(object: object))) { return .none }
        var state = ObjectState(object: object)
        // A timer's record lives outside the lifecycle cycles: cycle 0.
        var record = state.progress[id].flatMap { $0.purpose == .timer && !$0.isFinished ? $0 : nil } ?? ProgressRecord(cycle: 0, purpose: .timer)
        if let wait = record.delayed.flatMap(RetryTime.remaining(until:)) {
            return .after(wait)  // a retry's backoff is not over (woken by a watch event)
        }
        var extra: JSON = [:]
        let outcome = try await runHandler(handler, record: &record, object: &object, variables: ["new": object], state: &state,
                                           statusExtra: &extra, writeBetweenSteps: false, finalWriteFollows: true, log: log)
        state.progress[id] = record
        try await writeStatus(&object, state: state, extra: extra, conditions: [])
        if case .retry(let d) = outcome { return .after(d) }
        return .none
    }

    // MARK: - Writes

    /// One status write: progress and diff base, results and `status` step fields, conditions.
    func writeStatus(_ object: inout JSON, state: ObjectState, extra: JSON, conditions: [Condition]) async throws {
        let current = object["status"] ?? [:]
        // Conditions a `status` step sets are merged by type after yopf's own, so a
        // handler can own a condition (even Ready) instead of having it replaced.
        var extra = extra
        let handlerConditions = (extra["conditions"]?.array ?? []).compactMap(Condition.init(json:))
        extra["conditions"] = nil
        // Top-level status fields a handler sets are replaced whole, not deep-merged, so
        // that a summary which loses an entry loses it in the status too.
        var desired = current
        for (key, value) in extra.object ?? [:] { desired[key] = value.isNull ? nil : value }
        desired["yopf"] = state.json
        let own = conditions.filter { c in !handlerConditionTypes.contains(c.type) && !handlerConditions.contains { $0.type == c.type } }
        let all = own + handlerConditions
        if !all.isEmpty {
            desired["conditions"] = Conditions.merge(all, into: current["conditions"], generation: object["metadata"]?["generation"]?.int, now: Timestamp.now())
        }
        let patch = current.mergePatch(to: desired)
        if patch.object?.isEmpty ?? true { return }
        let ref = ObjectRef(info.gvr, namespace: object["metadata"]?["namespace"]?.string, name: object["metadata"]?["name"]?.string ?? "")
        let subresource = info.subresources.contains("status") ? "status" : nil
        var attempt = 0
        while true {
            attempt += 1
            do {
                let result = try await api.patch(ref, subresource: subresource, type: .merge, body: ["status": patch], options: WriteOptions(fieldManager: fieldManager))
                object = result
                remember(result)
                if result["status"]?["yopf"] == nil {
                    throw KubeError.invalid(ref, kind: info.kind, causes: [(field: "status.yopf", message: "the CRD's schema drops status.yopf: give status `x-kubernetes-preserve-unknown-fields: true`", type: "FieldValueInvalid")])
                }
                return
            } catch let e as KubeError where (e.code == 409 || e.code == 429 || e.code >= 500) && attempt < 5 {
                // A merge patch carries no resourceVersion, so retrying it as it is is safe.
                let retryAfter = e.status["details"]?["retryAfterSeconds"]?.int ?? 0
                try await Task.sleep(for: max(.milliseconds(200 * attempt), .seconds(min(retryAfter, 30))))
            }
        }
    }

    private func ensureFinalizer(_ object: inout JSON) async throws {
        guard needsFinalizer else { return }
        let finalizers = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
        if finalizers.contains(finalizer) { return }
        try await patchFinalizers(&object, finalizers + [finalizer])
    }

    private func removeFinalizer(_ object: inout JSON) async throws {
        let finalizers = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
        guard finalizers.contains(finalizer) else { return }
        try await patchFinalizers(&object, finalizers.filter { $0 != finalizer })
    }

    /// Replaces the finalizer list guarded by the resourceVersion, so that another
    /// controller's finalizer added meanwhile is never lost (409 → read again, retry).
    private func patchFinalizers(_ object: inout JSON, _ list: [String]) async throws {
        let ref = ObjectRef(info.gvr, namespace: object["metadata"]?["namespace"]?.string, name: object["metadata"]?["name"]?.string ?? "")
        var target = list
        for attempt in 1...5 {
            let rv = object["metadata"]?["resourceVersion"] ?? .null
            do {
                let result = try await api.patch(ref, subresource: nil, type: .merge,
                    body: ["metadata": ["finalizers": .array(target.map { .string($0) }), "resourceVersion": rv]],
                    options: WriteOptions(fieldManager: fieldManager))
                object = result
                remember(result)
                return
            } catch let e as KubeError where e.code == 409 && attempt < 5 {
                object = try await api.get(ref)
                let now = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
                let adding = list.contains(finalizer)
                target = adding ? (now.contains(finalizer) ? now : now + [finalizer]) : now.filter { $0 != finalizer }
                if target == now { return }
            } catch let e as KubeError where e.code == 404 {
                return
            }
        }
    }

    // MARK: - Children an owner reference cannot reach

    /// Children linked by labels are listed in `status.yopf.children` so that deletion
    /// can find them; they also require the finalizer.
    private func trackLabelOwned(_ objects: [JSON], object: inout JSON, state: inout ObjectState) async throws {
        let labelled = objects.filter { $0["ownedBy"]?.string == Ownership.Link.labels.rawValue }
        guard !labelled.isEmpty else { return }
        try await ensureFinalizerAlways(&object)
        for c in labelled where !state.children.contains(where: { $0["uid"] == c["uid"] }) {
            state.children.append(["apiVersion": c["apiVersion"] ?? .null, "kind": c["kind"] ?? .null, "namespace": c["namespace"] ?? .null,
                                   "name": c["name"] ?? .null, "uid": c["uid"] ?? .null])
        }
    }

    private func ensureFinalizerAlways(_ object: inout JSON) async throws {
        let finalizers = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
        if !finalizers.contains(finalizer) { try await patchFinalizers(&object, finalizers + [finalizer]) }
    }

    private func releaseLabelOwnedChildren(_ object: JSON, log: Logger) async throws {
        for c in ObjectState(object: object).children {
            guard let kind = c["kind"]?.string, let name = c["name"]?.string else { continue }
            do {
                let childInfo = try await resolver.resolve(apiVersion: c["apiVersion"]?.string, kind: kind)
                _ = try await api.delete(ObjectRef(childInfo.gvr, namespace: c["namespace"]?.string, name: name),
                                         options: DeleteOptions(propagationPolicy: .background, preconditionUID: c["uid"]?.string))
            } catch let e as KubeError where e.code == 404 || e.code == 409 {
                continue  // gone already, or a new object of the same name that is not ours
            }
            log.info("deleted a child in another scope", metadata: ["child": .string("\(kind)/\(name)")])
        }
    }

    // MARK: - Conditions while running

    private func progressing(_ purpose: Purpose, handler: String) -> [Condition] {
        [Condition("Progressing", .true, reason: "Handling", message: "\(purpose.rawValue): handler \(handler) running"),
         Condition("Ready", .false, reason: "Progressing", message: "\(purpose.rawValue) in progress")]
    }

    private func retrying(handler: String, message: String) -> [Condition] {
        [Condition("Progressing", .true, reason: "Retrying", message: "handler \(handler): \(message)"),
         Condition("Ready", .false, reason: "Retrying", message: "handler \(handler) is retrying")]
    }

    // MARK: - Diff base size guard (Kopf#1087)

    static let diffBaseLimit = 128 << 10

    static func digest(_ essence: JSON) -> String {
        // Over the canonical (sorted-keys) form, so that key order is no change.
        "sha256:" + JQ.sha256Hex(essence.serialized(sortedKeys: true))
    }
}

/// Output of steps as kept in progress: bounded, so a big `get` cannot bloat the status.
enum StepOutputs {
    static let limit = 16 << 10

    static func cap(_ output: JSON) -> JSON {
        if output.serializedBytes().count <= limit { return output }
        if case .object(let o) = output {
            // Keep the small fields, drop the big ones.
            var kept = JSONObject()
            for (k, v) in o where v.serializedBytes().count <= 1024 { kept[k] = v }
            kept["truncated"] = true
            return .object(kept)
        }
        return ["truncated": true]
    }
}

extension Logger {
    func with(object: String) -> Logger { var l = self; l[metadataKey: "object"] = .string(object); return l }
    func with(handler: String) -> Logger { var l = self; l[metadataKey: "handler"] = .string(handler); return l }
    func with(step: String) -> Logger { var l = self; l[metadataKey: "step"] = .string(step); return l }
}
