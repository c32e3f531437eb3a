import JSONValue
import Kube
import Platform
import Spec

/// `delete`: deletes an object (absent is fine); with `wait`, until it is gone.
enum DeleteStep {
    static func run(_ action: DeleteAction, _ scope: Scope, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        let (_, ref) = try await TargetResolution.resolve(action.target, scope, env, step: step)
        do {
            _ = try await env.api.delete(ref, options: DeleteOptions(propagationPolicy: .background))
        } catch let e as KubeError where e.code == 404 {
            return StepOutcome(output: ["deleted": false, "existed": false])
        } catch let e as KubeError {
            throw StepError("\(step): cannot delete \(ref): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
        if action.wait {
            while true {
                do {
                    _ = try await env.api.get(ref)
                } catch let e as KubeError where e.code == 404 {
                    break
                }
                if env.clock.now >= deadline { throw StepError("\(step): \(ref) is still there (finalizers?) when the step's time ran out") }
                try await env.clock.poll(for: .milliseconds(500))
            }
        }
        return StepOutcome(output: ["deleted": true, "existed": true])
    }
}
