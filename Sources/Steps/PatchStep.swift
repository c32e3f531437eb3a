import JSONValue
import Kube
import Spec

/// `patch`: a merge or JSON patch of an object (by default the resource itself).
enum PatchStep {
    static func run(_ action: PatchAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let (ref, type, body) = try await render(action, scope, env, step: step)
        do {
            let result = try await env.api.patch(ref, subresource: nil, type: type, body: body, options: WriteOptions(fieldManager: env.fieldManager))
            return StepOutcome(output: ["object": Ownership.reference(result, link: nil)], children: [ChildRef(result, link: nil)])
        } catch let e as KubeError {
            throw StepError("\(step): cannot patch \(ref): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
    }

    /// The object, the patch type and the body, rendered; no API call but discovery.
    static func render(_ action: PatchAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> (ObjectRef, PatchType, JSON) {
        let ref: ObjectRef
        if let target = action.target {
            ref = try await TargetResolution.resolve(target, scope, env, step: step).1
        } else {
            ref = TargetResolution.owner(env)
        }
        switch action.body {
        case .merge(let t):
            let body = try await env.evaluator.render(t, scope)
            guard body.object != nil else { throw StepError("\(step): a merge patch must render to an object", permanent: true) }
            return (ref, .merge, body)
        case .json(let t):
            let body = try await env.evaluator.render(t, scope)
            guard body.array != nil else { throw StepError("\(step): a JSON patch must render to a list of operations", permanent: true) }
            return (ref, .json, body)
        }
    }
}
