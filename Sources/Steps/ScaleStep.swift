import JSONValue
import Kube
import Platform
import Spec

/// `scale`: sets replicas through the scale subresource of any scalable kind; with
/// `wait`, until the workload reports that many ready replicas.
enum ScaleStep {
    /// The object to scale and the replicas, rendered; no API call but discovery.
    static func render(_ action: ScaleAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> (ResourceInfo, ObjectRef, Int) {
        let (info, ref) = try await TargetResolution.resolve(action.target, scope, env, step: step)
        guard info.subresources.contains("scale") else {
            throw StepError("\(step): \(info.kind) has no scale subresource", permanent: true)
        }
        let rendered = try await env.evaluator.render(action.replicas, scope)
        guard let replicas = rendered.int ?? rendered.string.flatMap({ Int($0) }), replicas >= 0 else {
            throw StepError("\(step): replicas must be a whole number ≥ 0, got \(rendered.serialized())", permanent: true)
        }
        return (info, ref, replicas)
    }

    /// The body of the scale subresource patch.
    static func patchBody(replicas: Int) -> JSON { ["spec": ["replicas": .int(replicas)]] }

    static func run(_ action: ScaleAction, _ scope: Scope, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        let (info, ref, replicas) = try await render(action, scope, env, step: step)
        // The version our write left, so that an owned-kind watch knows it for ours.
        let written: ChildRef
        do {
            let scale = try await env.api.patch(ref, subresource: "scale", type: .merge, body: patchBody(replicas: replicas),
                                                options: WriteOptions(fieldManager: env.fieldManager))
            written = ChildRef(apiVersion: info.gvr.apiVersion, kind: info.kind, namespace: ref.namespace, name: ref.name,
                               uid: scale["metadata"]?["uid"]?.string ?? "", resourceVersion: scale["metadata"]?["resourceVersion"]?.string, link: nil)
        } catch let e as KubeError {
            throw StepError("\(step): cannot scale \(ref): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
        guard action.wait else { return StepOutcome(output: ["replicas": .int(replicas)], children: [written]) }
        var last: JSON = .null
        while true {
            let object = try await env.api.get(ref)
            last = object["status"] ?? .null
            if isSettled(object, replicas: replicas) { break }
            if env.clock.now >= deadline {
                let ready = last["readyReplicas"]?.int ?? 0
                throw StepError("\(step): \(ref) has \(ready) of \(replicas) replicas ready when the step's time ran out")
            }
            try await env.clock.poll(for: .milliseconds(300))
        }
        return StepOutcome(output: ["replicas": .int(replicas), "status": last], children: [written])
    }

    /// The controller saw the new spec and the replicas are there (and gone, for fewer).
    static func isSettled(_ object: JSON, replicas: Int) -> Bool {
        let status = object["status"] ?? [:]
        if let observed = status["observedGeneration"]?.int, let generation = object["metadata"]?["generation"]?.int, observed < generation {
            return false
        }
        let current = status["replicas"]?.int ?? 0
        let ready = status["readyReplicas"]?.int ?? 0
        let available = status["availableReplicas"]?.int ?? ready
        return current == replicas && ready >= replicas && available >= replicas
    }
}
