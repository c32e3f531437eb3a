import JSONValue
import Kube
import Platform
import Spec

/// Runs one step: its `if`, its `forEach`, its time limit and its `onError`.
public enum StepRunner {
    /// Default time limit of a step that does not set `timeout`.
    public static let defaultTimeout: Duration = .seconds(300)

    public static func run(_ step: StepSpec, scope: Scope, env: StepEnvironment, handlerDeadline: ContinuousClock.Instant? = nil) async throws -> StepOutcome? {
        let label = "step \(step.displayName)"
        if let condition = step.condition, !(try await env.evaluator.isTrue(condition, scope)) {
            return nil  // skipped
        }
        var deadline = env.clock.now + (step.timeout ?? defaultTimeout)
        if let handlerDeadline, handlerDeadline < deadline { deadline = handlerDeadline }
        do {
            if let forEach = step.forEach {
                var items = try await env.evaluator.values(forEach, scope)
                if items.count == 1, let array = items[0].array { items = array }
                var outputs: [JSON] = []
                var status: JSON? = nil
                var children: [ChildRef] = []
                for (i, item) in items.enumerated() {
                    var s = scope
                    s.variables["item"] = item
                    s.variables["index"] = .int(i)
                    let outcome = try await runOnce(step, s, env, label: "\(label)[\(i)]", deadline: deadline)
                    outputs.append(outcome.output)
                    children += outcome.children
                    if let p = outcome.statusPatch { status = (status ?? [:]).mergePatched(with: p) }
                }
                return StepOutcome(output: .array(outputs), statusPatch: status, children: children)
            }
            return try await runOnce(step, scope, env, label: label, deadline: deadline)
        } catch let error as StepError where step.onError == .continue && !Task.isCancelled {
            env.logger.warning("step failed; onError: continue", metadata: ["step": .string(step.displayName), "error": .string(env.redact(error.message))])
            return StepOutcome(output: ["ok": false, "error": .string(env.redact(error.message))])
        }
    }

    static func runOnce(_ step: StepSpec, _ scope: Scope, _ env: StepEnvironment, label: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        do {
            return try await withDeadline(deadline, clock: env.clock, label: label) {
                try await dispatch(step.action, scope, env, label: label, deadline: deadline)
            }
        } catch let e as KubeError {
            throw ErrorPolicy.stepError(label, e)
        }
    }

    static func dispatch(_ action: StepAction, _ scope: Scope, _ env: StepEnvironment, label: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        switch action {
        case .apply(let a): return try await ApplyStep.run(a, scope, env, step: label)
        case .create(let a): return try await CreateStep.run(a, scope, env, step: label)
        case .patch(let a): return try await PatchStep.run(a, scope, env, step: label)
        case .delete(let a): return try await DeleteStep.run(a, scope, env, step: label, deadline: deadline)
        case .get(let a): return try await GetStep.run(a, scope, env, step: label)
        case .list(let a): return try await ListStep.run(a, scope, env, step: label)
        case .status(let a): return try await StatusStep.run(a, scope, env, step: label)
        case .event(let a): return try await EventStep.run(a, scope, env, step: label)
        case .fail(let a): return try await FailStep.run(a, scope, env, step: label)
        case .run(let a): return try await RunStep.run(a, scope, env, step: label, deadline: deadline)
        case .scale(let a): return try await ScaleStep.run(a, scope, env, step: label, deadline: deadline)
        case .wait(let a): return try await WaitStep.run(a, scope, env, step: label, deadline: deadline)
        case .exec(let a): return try await ExecStep.run(a, scope, env, step: label)
        case .stream(let a): return try await StreamStep.run(a, scope, env, step: label)
        case .job(let a): return try await JobStep.run(a, scope, env, step: label, deadline: deadline)
        }
    }

    /// Runs `body`, failing with a StepError when the deadline passes first.
    static func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, clock: any RuntimeClock, label: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await clock.watchdog(until: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw StepError("\(label): did not finish") }
            guard let value = first else { throw StepError("\(label): timed out") }
            return value
        }
    }
}
