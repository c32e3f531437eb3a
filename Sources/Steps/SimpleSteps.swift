import JSONValue
import Kube
import Spec

/// `status`: fields merged into the resource's status, written with the handler's progress.
enum StatusStep {
    static func run(_ action: StatusAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let patch = try await render(action, scope, env, step: step)
        return StepOutcome(output: patch, statusPatch: patch)
    }

    static func render(_ action: StatusAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> JSON {
        let patch = try await env.evaluator.render(action.patch, scope)
        guard patch.object != nil else { throw StepError("\(step): status must render to an object", permanent: true) }
        return patch
    }
}

/// `event`: a Kubernetes Event about the resource.
enum EventStep {
    static func run(_ action: EventAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let message = env.redact(try await render(action, scope, env, step: step))
        env.postEvent(action.type.rawValue, action.reason, message)
        return StepOutcome(output: ["type": .string(action.type.rawValue), "reason": .string(action.reason), "message": .string(message)])
    }

    /// The message, rendered (not yet redacted).
    static func render(_ action: EventAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> String {
        try await env.evaluator.string(action.message, scope, what: "\(step): message")
    }
}

/// `fail`: ends the handler with an error, temporary (retried) or permanent.
enum FailStep {
    static func run(_ action: FailAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        throw StepError(try await render(action, scope, env, step: step), permanent: action.permanent)
    }

    static func render(_ action: FailAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> String {
        try await env.evaluator.string(action.message, scope, what: "\(step): message")
    }
}
