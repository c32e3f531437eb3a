import JSONValue
import Kube
import Logging
import Platform
import Spec
import Steps

/// Running one handler: its steps in order from where its progress says, the outputs
/// later steps see, what is kept for a resume, and the failure policy (retry with
/// backoff, or fail for good).
extension ObjectProcessor {
    enum HandlerOutcome {
        case done
        case retry(Duration)
        /// The process is stopping; the record says which step is next.
        case stopped
    }

    /// Runs a handler from the step its record says, updating the record.
    func runHandler(
        _ handler: HandlerSpec, record: inout ProgressRecord, pass: inout Pass, variables: [String: JSON],
        state: inout ObjectState, extra: inout JSON, writeBetweenSteps: Bool
    ) async throws -> HandlerOutcome {
        let hlog = pass.log.with(handler: handler.id)
        if record.started == nil { record.started = clock.timestamp }
        record.delayed = nil
        let redactor = Redactor(object: pass.object, old: variables["old"])
        var handlerDeadline: ContinuousClock.Instant? = nil
        if let timeout = handler.timeout {
            let startedSeconds = record.started.flatMap(Timestamp.parseSeconds) ?? clock.wallSeconds
            let spent = Duration.seconds(max(0, clock.wallSeconds - startedSeconds))
            let left = timeout - spent
            if left <= .zero {
                return fail(handler, &record, message: "timed out after \(Durations.format(timeout)) (overall, across retries)", permanent: true, log: hlog, object: pass.object)
            }
            handlerDeadline = clock.now + left
        }
        var outputs = record.steps
        var scope = Scope(object: pass.object, variables: variables)
        scope.steps = .object(outputs)
        let owner = pass.object
        // A tenant's ServiceAccount, when the handler names one: its steps run with its rights.
        let handlerAPI: any KubeAPI
        do {
            handlerAPI = try await HandlerCredentials.api(for: handler, operator: spec.spec, object: pass.object, scope: scope, base: api, evaluator: evaluator)
        } catch let error as StepError {
            return fail(handler, &record, message: redactor.redact(error.message), permanent: error.permanent, log: hlog, object: pass.object)
        }
        let env = StepEnvironment(
            api: handlerAPI, resolver: resolver, evaluator: evaluator, owner: pass.object, ownerInfo: info, fieldManager: fieldManager,
            operatorDirectory: spec.folder, logger: hlog,
            postEvent: { [events] type, reason, message in events.record(.init(object: owner, type: type, reason: reason, message: message)) },
            redact: { redactor.redact($0) }, clock: clock, operatorName: spec.spec.name)
        let started = clock.now

        // A resume: outputs too big to keep cannot be had back; reads are repeated.
        if record.step > 0 {
            if let (name, size) = StepOutputs.omitted(in: outputs, before: record.step, of: handler) {
                return fail(handler, &record, message: "cannot resume at step \(record.step + 1): the output of step \(name) (\(size) bytes) was too big to keep in status, and a later step reads it; make that output smaller (e.g. select fields in a jq expression) or read it with a get/list step, which is repeated on resume", permanent: true, log: hlog, object: pass.object)
            }
            for step in StepOutputs.toRepeat(before: record.step, of: handler, have: outputs) {
                do {
                    if let outcome = try await StepRunner.run(step, scope: scope, env: env, handlerDeadline: handlerDeadline), let name = step.name {
                        outputs[name] = outcome.output
                        scope.steps = .object(outputs)
                    }
                } catch {
                    if isStopping { return .stopped }
                    let message = (error as? StepError).map { redactor.redact($0.message) } ?? "\(error)"
                    return fail(handler, &record, message: message, permanent: (error as? StepError)?.permanent ?? false, log: hlog, object: pass.object)
                }
            }
        }

        while record.step < handler.steps.count {
            if isStopping { return .stopped }
            let step = handler.steps[record.step]
            let slog = hlog.with(step: step.displayName)
            do {
                slog.debug("step starting")
                let outcome = try await StepRunner.run(step, scope: scope, env: env, handlerDeadline: handlerDeadline)
                if let outcome {
                    if let name = step.name {
                        outputs[name] = outcome.output
                        scope.steps = .object(outputs)
                    }
                    if let patch = outcome.statusPatch { extra = extra.mergePatched(with: patch) }
                    if !outcome.children.isEmpty {
                        childWrites(outcome.children)
                        try await recordLabelOwned(outcome.children, pass: &pass, state: &state)
                    }
                }
                record.step += 1
                if record.step < handler.steps.count && writeBetweenSteps {
                    // Persist the resume point: the step's side effects are done.
                    record.steps = StepOutputs.kept(outputs, after: record.step - 1, of: handler, redactor: redactor)
                    state.progress[handler.id] = record
                    try await writer.write(&pass.object, state: state, extra: extra, conditions: progressing(state.cycle?.purpose ?? .create, handler: handler.id))
                }
            } catch let error as StepError {
                if isStopping { return .stopped }
                record.steps = StepOutputs.kept(outputs, after: record.step - 1, of: handler, redactor: redactor)
                return fail(handler, &record, message: redactor.redact(error.message), permanent: error.permanent, log: slog, object: pass.object)
            } catch {
                if isStopping { return .stopped }
                throw error
            }
        }
        // Success.
        if let result = handler.result {
            do {
                extra[handler.id] = try await evaluator.value(result, scope)
            } catch let error as StepError {
                return fail(handler, &record, message: "result: \(redactor.redact(error.message))", permanent: error.permanent, log: hlog, object: pass.object)
            }
        }
        record.success = true
        record.failure = false
        record.stopped = clock.timestamp
        record.message = nil
        record.steps = [:]  // a finished handler resumes nowhere
        counters.record(handler: handler.id, outcome: "success", seconds: (clock.now - started).seconds)
        hlog.info("handler succeeded", metadata: ["retries": .stringConvertible(record.retries)])
        events.record(.init(object: pass.object, type: "Normal", reason: "HandlerSucceeded", message: "handler \(handler.id) succeeded", routine: true))
        return .done
    }

    func fail(_ handler: HandlerSpec, _ record: inout ProgressRecord, message: String, permanent: Bool, log: Logger, object: JSON) -> HandlerOutcome {
        record.retries += 1
        record.message = message
        // `retries` counts attempts after the first failure (HandlerSpec.retries).
        let exhausted = handler.retries.map { record.retries > $0 } ?? false
        if permanent || exhausted {
            record.failure = true
            record.success = false
            record.stopped = clock.timestamp
            record.steps = [:]
            let why = permanent ? "failed permanently" : "failed after \(record.retries) attempt(s)"
            log.error("handler \(why)", metadata: ["error": .string(message)])
            counters.record(handler: handler.id, outcome: "failure", seconds: 0)
            events.record(.init(object: object, type: "Warning", reason: "HandlerFailed", message: "handler \(handler.id) \(why): \(message)"))
            return .done
        }
        let delay = handler.backoff.delay(beforeRetry: record.retries - 1)
        record.delayed = RetryTime.after(delay, clock: clock)
        log.warning("handler failed; will retry", metadata: ["error": .string(message), "retry": .stringConvertible(record.retries), "in": .string(Durations.format(delay))])
        counters.record(handler: handler.id, outcome: "retry", seconds: 0)
        // The same words on every attempt, so that the recorder aggregates repeats into one
        // Event with a count (attempt and delay are in the progress record and the logs).
        events.record(.init(object: object, type: "Warning", reason: "HandlerRetrying", message: "handler \(handler.id) failed, will retry: \(message)"))
        return .retry(delay)
    }

    /// Children linked by labels are listed in `status.yopf.children` so that deletion
    /// can find them; they also require the finalizer.
    private func recordLabelOwned(_ children: [ChildRef], pass: inout Pass, state: inout ObjectState) async throws {
        let labelled = children.filter { $0.link == .labels }
        guard !labelled.isEmpty else { return }
        try await writer.ensureFinalizer(&pass.object)
        for c in labelled where !state.children.contains(where: { $0.uid == c.uid && !c.uid.isEmpty }) {
            var kept = c
            kept.resourceVersion = nil
            state.children.append(kept)
        }
    }
}
