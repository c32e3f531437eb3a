import JQ
import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps

/// Lifecycle cycles: the cause (create, update, delete, resume, reconcile) decided from
/// the object and its `status.yopf`, the handlers it runs, and the end of the cycle
/// (diff base, conditions, finalizer).
extension ObjectProcessor {
    /// The annotation whose new value re-runs the handlers that failed for good.
    static let retryAnnotation = "yopf.dev/retry"

    /// Runs or continues the cycle the object is due for; returns when to retry, if a
    /// handler must retry later.
    func lifecycle(_ pass: inout Pass) async throws -> ContinuousClock.Instant? {
        let deleting = pass.object["metadata"]?["deletionTimestamp"].map { !$0.isNull } ?? false
        let firstSight = memory.firstSight(pass.key)
        if !deleting, let filter = spec.spec.watch.filter {
            if !(try await evaluator.isTrue(filter, Scope(object: pass.object))) { return nil }
        }
        var state = ObjectState(object: pass.object)
        requestRerunIfAsked(&state, object: pass.object, log: pass.log)

        var cause = CauseDetector.detect(
            object: pass.object, state: state, finalizer: finalizer, resumedInThisProcess: !firstSight, digest: Self.digest)
        if case .delete? = cause, state.cycle == nil,
            state.progress.values.contains(where: { $0.cycle == state.lastCycle && $0.purpose == .delete && $0.failure }) {
            // Deletion failed for good: the finalizer stays until the user acts (a new
            // `yopf.dev/retry` value runs the failed delete handlers again).
            cause = nil
        }
        let childChanged = pass.reasons.contains(.childChanged) && confirmChildChange(pass.key)
        let levelReasons = childChanged || pass.reasons.contains(.resync)
        if cause == nil, !deleting, levelReasons, state.wasHandled, spec.spec.handlers.contains(where: { $0.on == .reconcile }) {
            cause = .reconcile
        }
        guard let cause else {
            if !deleting && needsFinalizer { try await writer.ensureFinalizer(&pass.object) }
            if state.retried != ObjectState(object: pass.object).retried {
                // A `yopf.dev/retry` with nothing to re-run: remember that it was seen.
                try await writer.write(&pass.object, state: state, extra: [:], conditions: [])
            }
            return nil
        }
        let purpose = Purpose(cause)
        if purpose != .delete && needsFinalizer { try await writer.ensureFinalizer(&pass.object) }

        let reason = Self.reason(for: cause, childChanged: childChanged, resync: pass.reasons.contains(.resync))
        let variables = HandlerSelection.variables(for: cause, object: pass.object, reason: reason)
        if case .update(nil, _) = cause {
            pass.log.warning("the last handled state was too big to keep; $old and $diff are empty and field handlers run on any change")
        }
        let only = state.cycle.flatMap { $0.purpose == purpose ? $0.only : nil }
        let handlers = try await HandlerSelection.choose(
            spec.spec.handlers, purpose: purpose, cause: cause, object: pass.object, reason: reason, only: only, evaluator: evaluator
        ).filter(\.runs).map(\.handler)
        if (purpose == .resume || purpose == .reconcile) && handlers.isEmpty && state.cycle == nil {
            // Nothing to run and nothing changed: a restart or a child's change costs no writes.
            return nil
        }

        if let c = state.cycle, c.purpose == purpose {
            // Continue the cycle a previous pass, process or leader left unfinished.
        } else {
            state.cycle = ObjectState.Cycle(id: state.lastCycle + 1, purpose: purpose, started: clock.timestamp)
        }
        let cycle = state.cycle!
        var extra: JSON = [:]
        var failures: [String] = []

        for (position, handler) in handlers.enumerated() {
            var record = state.progress[handler.id].flatMap { $0.cycle == cycle.id ? $0 : nil }
                ?? ProgressRecord(cycle: cycle.id, purpose: purpose)
            if record.isFinished {
                if record.failure { failures.append(handler.id) }
                continue
            }
            if let wait = record.delayed.flatMap({ RetryTime.remaining(until: $0, clock: clock) }) {
                return clock.now + wait
            }
            // A concurrency group with no free slot: wait (without holding a worker) until
            // one frees; the object's status says what it waits for.
            let slots = try await concurrencySlots(for: handler, object: pass.object)
            var held: [ConcurrencyGate.Slot] = []
            var waitingFor: (ConcurrencyGate.Slot, Int, [ObjectKey])? = nil
            for (slot, limit) in slots {
                pass.requestedSlots.insert(slot)
                let (granted, holders) = gate.acquire(slot, limit: limit, holder: pass.key)
                if granted { held.append(slot) } else { waitingFor = (slot, limit, holders); break }
            }
            if let (slot, limit, holders) = waitingFor {
                for s in held { gate.release(s, holder: pass.key) }
                state.progress[handler.id] = record
                let message = "handler \(handler.id) waits for concurrency group \(slot.key) (limit \(limit)); running: "
                    + holders.map(\.description).joined(separator: ", ")
                pass.log.info("waiting for a concurrency slot", metadata: ["handler": .string(handler.id), "key": .string(slot.key)])
                try await writer.write(&pass.object, state: state, extra: extra, conditions: [
                    Condition("Progressing", .true, reason: "WaitingForConcurrencySlot", message: message),
                    Condition("Ready", .false, reason: "WaitingForConcurrencySlot", message: "\(purpose.rawValue): waiting for a concurrency slot"),
                ])
                return nil
            }
            let isLast = position == handlers.count - 1
            let outcome: HandlerOutcome
            do {
                outcome = try await runHandler(handler, record: &record, pass: &pass, variables: variables, state: &state,
                                               extra: &extra, writeBetweenSteps: true)
            } catch {
                for s in held { gate.release(s, holder: pass.key) }
                throw error
            }
            for s in held { gate.release(s, holder: pass.key) }
            state.progress[handler.id] = record
            switch outcome {
            case .done:
                if record.failure { failures.append(handler.id) }
                if !isLast {
                    try await writer.write(&pass.object, state: state, extra: extra, conditions: progressing(purpose, handler: handler.id))
                }
            case .retry(let delay):
                try await writer.write(&pass.object, state: state, extra: extra, conditions: retrying(handler: handler.id, message: record.message ?? ""))
                return clock.now + delay
            case .stopped:
                // Progress up to the last finished step is written; the next process continues.
                return nil
            }
        }

        // The cycle is complete.
        state.cycle = nil
        state.lastCycle = cycle.id
        state.dropHistory(completed: cycle.id)
        if purpose != .delete && purpose != .reconcile {
            let essence = Essence.of(pass.object)
            if essence.serialized().utf8.count > Self.diffBaseLimit {
                state.handled = nil
                state.handledDigest = Self.digest(essence)
                pass.log.warning("spec, labels and annotations are larger than \(Self.diffBaseLimit) bytes: keeping a digest instead of the last handled state")
            } else {
                state.handled = essence
                state.handledDigest = nil
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
            let msg = "handler(s) failed: \(failures.joined(separator: ", ")) (annotate \(Self.retryAnnotation)=<new value> to run them again)"
            conditions = [
                Condition("Ready", .false, reason: "HandlerFailed", message: msg),
                Condition("Progressing", .false, reason: "Idle", message: ""),
                Condition("Degraded", .true, reason: "HandlerFailed", message: msg),
            ]
        }
        if purpose == .delete {
            if failures.isEmpty {
                try await writer.releaseLabelOwnedChildren(state.children, log: pass.log)
                let uid = pass.object["metadata"]?["uid"]?.string
                try await writer.removeFinalizer(&pass.object)
                memory.rememberFinalized(pass.key, uid: uid)
                pass.log.info("deletion handled; finalizer removed")
            } else {
                // The finalizer stays: deletion waits for the owner of the resource to act.
                try await writer.write(&pass.object, state: state, extra: extra, conditions: conditions)
            }
            return nil
        }
        try await writer.write(&pass.object, state: state, extra: extra, conditions: conditions)
        return nil
    }

    /// `$reason`: why the handlers run.
    public static func reason(for cause: Cause, childChanged: Bool, resync: Bool) -> String {
        switch cause {
        case .create: return "create"
        case .update: return "update"
        case .delete: return "delete"
        case .resume: return "resume"
        case .reconcile:
            if childChanged { return "child-changed" }
            if resync { return "resync" }
            return "retry"
        }
    }

    /// A new value of the `yopf.dev/retry` annotation starts a cycle that runs again the
    /// handlers of the last cycle that failed for good. The annotation is no change of
    /// the resource (`Essence` leaves `yopf.dev/` annotations out).
    func requestRerunIfAsked(_ state: inout ObjectState, object: JSON, log: Logger) {
        guard let value = object["metadata"]?["annotations"]?[Self.retryAnnotation]?.string, value != state.retried else { return }
        state.retried = value
        guard state.cycle == nil else { return }  // a cycle is running: it retries by itself
        let failed = state.progress.filter { $0.value.failure && $0.value.cycle == state.lastCycle && $0.value.purpose != .timer && $0.value.purpose != .schedule }
        guard let purpose = failed.values.compactMap(\.purpose).first else { return }
        let ids = failed.filter { $0.value.purpose == purpose }.keys.sorted()
        log.info("re-running failed handlers (\(Self.retryAnnotation)=\(value))", metadata: ["handlers": .string(ids.joined(separator: ","))])
        state.cycle = ObjectState.Cycle(id: state.lastCycle + 1, purpose: purpose, started: clock.timestamp, only: ids)
    }

    /// The concurrency groups a handler run needs, operator-wide first: (slot, limit).
    /// A key that evaluates to null puts the run in no group.
    func concurrencySlots(for handler: HandlerSpec, object: JSON) async throws -> [(ConcurrencyGate.Slot, Int)] {
        var out: [(ConcurrencyGate.Slot, Int)] = []
        for (group, spec) in [("operator", spec.spec.concurrency), ("handler:\(handler.id)", handler.concurrency)] {
            guard let spec else { continue }
            let value = try await evaluator.value(spec.key, Scope(object: object))
            if value.isNull { continue }
            let key = value.string ?? value.serialized()
            out.append((ConcurrencyGate.Slot(group: group, key: key), spec.limit))
        }
        return out
    }

    // MARK: - Conditions while running

    func progressing(_ purpose: Purpose, handler: String) -> [Condition] {
        [Condition("Progressing", .true, reason: "Handling", message: "\(purpose.rawValue): handler \(handler) running"),
         Condition("Ready", .false, reason: "Progressing", message: "\(purpose.rawValue) in progress")]
    }

    func retrying(handler: String, message: String) -> [Condition] {
        [Condition("Progressing", .true, reason: "Retrying", message: "handler \(handler): \(message)"),
         Condition("Ready", .false, reason: "Retrying", message: "handler \(handler) is retrying")]
    }

    // MARK: - Diff base size guard (Kopf#1087)

    static let diffBaseLimit = 128 << 10

    public static func digest(_ essence: JSON) -> String {
        // Over the canonical (sorted-keys) form, so that key order is no change.
        "sha256:" + JQ.sha256Hex(essence.serialized(sortedKeys: true))
    }
}
