import JSONValue
import Kube
import Platform
import Spec

/// Runs one step: its `if`, its `forEach`, its time limit and its `onError`.
public enum StepRunner {
    /// Default time limit of a step that does not set `timeout`.
    public static let defaultTimeout: Duration = .seconds(300)

    public static func run(_ step: StepSpec, scope: Scope, env: StepEnvironment, handlerDeadline: ContinuousClock.Instant? = nil) async throws -> StepOutcome? {
        let stepLabel = label(of: step)
        if let condition = step.condition, !(try await env.evaluator.isTrue(condition, scope)) {
            // Said in the log so that `yopf test` can tell a skipped step from one that ran.
            env.logger.debug("step skipped: its if is false", metadata: ["step": .string(step.displayName)])
            return nil
        }
        var deadline = env.clock.now + (step.timeout ?? defaultTimeout)
        if let handlerDeadline, handlerDeadline < deadline { deadline = handlerDeadline }
        do {
            if let forEach = step.forEach {
                let items = try await items(of: forEach, scope: scope, evaluator: env.evaluator)
                var outputs: [JSON] = []
                var status: JSON? = nil
                var children: [ChildRef] = []
                for (i, item) in items.enumerated() {
                    let outcome = try await runOnce(step, itemScope(scope, item: item, index: i), env, label: Self.label(of: step, item: i), deadline: deadline)
                    outputs.append(outcome.output)
                    children += outcome.children
                    if let p = outcome.statusPatch { status = (status ?? [:]).mergePatched(with: p) }
                }
                return StepOutcome(output: .array(outputs), statusPatch: status, children: children)
            }
            return try await runOnce(step, scope, env, label: stepLabel, deadline: deadline)
        } catch let error as StepError where step.onError == .continue && !Task.isCancelled {
            env.logger.warning("step failed; onError: continue", metadata: ["step": .string(step.displayName), "error": .string(env.redact(error.message))])
            return StepOutcome(output: ["ok": false, "error": .string(env.redact(error.message))])
        }
    }

    /// How messages, Job names and `created-by` annotations name a step: `step rotate`,
    /// and `step certificates[2]` for one item of a `forEach`.
    public static func label(of step: StepSpec, item: Int? = nil) -> String {
        let label = "step \(step.displayName)"
        return item.map { "\(label)[\($0)]" } ?? label
    }

    /// The items of a `forEach`: every output of the expression, or the elements of the
    /// one array it yields.
    public static func items(of forEach: Expression, scope: Scope, evaluator: Evaluator) async throws -> [JSON] {
        let items = try await evaluator.values(forEach, scope)
        if items.count == 1, let array = items[0].array { return array }
        return items
    }

    /// The scope of one item of a `forEach`: `$item` and `$index` bound.
    public static func itemScope(_ scope: Scope, item: JSON, index: Int) -> Scope {
        var s = scope
        s.variables["item"] = item
        s.variables["index"] = .int(index)
        return s
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
