import JSONValue
import Spec
import Steps

/// One handler that would run: its steps in order, each seeing the outputs of the steps
/// before it (those a preview knows; placeholders for the others), then its `result` —
/// what the runtime would store as `status.<handler id>`.
struct HandlerRunPreview {
    let ctx: PreviewContext

    struct Result {
        var steps: [JSON] = []
        var result: JSON? = nil
        var problems = 0
    }

    func preview(_ handler: HandlerSpec, variables: [String: JSON]) async -> Result {
        var out = Result()
        var scope = Scope(object: ctx.owner, variables: variables)
        var outputs = JSONObject()
        var placeholders = Placeholders()
        var stoppedAt: String? = nil
        let preview = StepPreview(ctx: ctx, handler: handler)
        for step in handler.steps {
            if let stoppedAt {
                out.steps.append(["step": .string(step.displayName), "notReached": .string("the handler fails at step \(stoppedAt)")])
                continue
            }
            scope.steps = .object(outputs)
            let r = await preview.preview(step, scope: scope, placeholders: placeholders)
            out.steps += r.entries
            out.problems += r.problems
            if let name = step.name {
                switch r.output {
                case .value(let v): outputs[name] = v
                case .absent: break
                case .unknown: placeholders.unknownSteps.insert(name)
                }
            }
            if r.stops { stoppedAt = step.displayName }
        }
        guard let result = handler.result, stoppedAt == nil else { return out }
        scope.steps = .object(outputs)
        let log = PlaceholderLog()
        do {
            out.result = try await placeholders.evaluator(pool: ctx.pool, log: log).value(result, scope)
        } catch {
            let message = (error as? StepError)?.message ?? "\(error)"
            let site = log.lastExpression.flatMap(ctx.site(of:)).map { " (\($0))" } ?? ""
            out.result = ["error": .string(message + site)]
            out.problems += 1
        }
        return out
    }
}
