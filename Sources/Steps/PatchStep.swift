import JSONValue
import Kube
import Spec

/// `patch`: a merge or JSON patch of an object (by default the resource itself).
enum PatchStep {
    static func run(_ action: PatchAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let ref: ObjectRef
        if let target = action.target {
            ref = try await TargetResolution.resolve(target, scope, env, step: step).1
        } else {
            ref = TargetResolution.owner(env)
        }
        let type: PatchType
        let body: JSON
        switch action.body {
        case .merge(let t):
            type = .merge
            body = try await env.evaluator.render(t, scope)
            guard body.object != nil else { throw StepError("\(step): a merge patch must render to an object", permanent: true) }
        case .json(let t):
            type = .json
            body = try await env.evaluator.render(t, scope)
            guard body.array != nil else { throw StepError("\(step): a JSON patch must render to a list of operations", permanent: true) }
        }
        do {
            let result = try await env.api.patch(ref, subresource: nil, type: type, body: body, options: WriteOptions(fieldManager: env.fieldManager))
            return StepOutcome(output: ["object": Ownership.reference(result, link: nil)], children: [ChildRef(result, link: nil)])
        } catch let e as KubeError {
            throw StepError("\(step): cannot patch \(ref): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
    }
}
