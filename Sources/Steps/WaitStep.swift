import JSONValue
import Kube
import Platform
import Spec

/// `wait`: until a condition is True on an object, or a jq predicate holds on it.
enum WaitStep {
    static func run(_ action: WaitAction, _ scope: Scope, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        let (_, ref) = try await TargetResolution.resolve(action.target, scope, env, step: step)
        var lastError = ""
        while true {
            do {
                let object = try await env.api.get(ref)
                switch action.until {
                case .condition(let type):
                    let conditions = object["status"]?["conditions"]?.array ?? []
                    if let c = conditions.first(where: { $0["type"]?.string == type }), c["status"]?.string == "True" {
                        return StepOutcome(output: object)
                    }
                    lastError = "condition \(type) is not True yet"
                case .predicate(let e):
                    var s = scope
                    s.variables["item"] = object
                    // The predicate sees the waited-for object as `.`.
                    s.object = object
                    if try await env.evaluator.isTrue(e, s) { return StepOutcome(output: object) }
                    lastError = "the predicate is not true yet"
                }
            } catch let e as KubeError where e.code == 404 {
                lastError = "\(ref) does not exist yet"
            }
            if env.clock.now >= deadline { throw StepError("\(step): gave up waiting for \(ref): \(lastError)") }
            try await env.clock.poll(for: .milliseconds(500))
        }
    }
}
