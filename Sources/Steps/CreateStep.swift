import JSONValue
import Kube
import Spec

/// `create`: POST each manifest, owned by the resource; an existing object is kept or fails the step.
enum CreateStep {
    static func run(_ action: CreateAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let prepared = try await ManifestPreparation.renderAll(action.manifests, namespace: action.namespace, scope: scope, env: env, step: step)
        var refs: [JSON] = []
        var children: [ChildRef] = []
        for var m in prepared {
            let link = Ownership.attach(to: &m.body, childNamespaced: m.info.namespaced, childNamespace: m.ref.namespace, env: env)
            do {
                let created = try await env.api.create(m.info.gvr, namespace: m.ref.namespace, body: m.body,
                                                       options: WriteOptions(fieldManager: env.fieldManager))
                refs.append(Ownership.reference(created, link: link).with("created", true))
                children.append(ChildRef(created, link: link))
            } catch let e as KubeError where e.code == 409 && e.reason == "AlreadyExists" {
                guard action.ifExists == .keep else {
                    throw StepError("\(step): \(m.info.kind) \(m.ref.name) already exists (set ifExists: keep to accept it)")
                }
                let existing = try await env.api.get(m.ref)
                refs.append(Ownership.reference(existing, link: nil).with("created", false))
            } catch let e as KubeError {
                throw StepError("\(step): cannot create \(m.info.kind) \(m.ref.name): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
            }
        }
        return StepOutcome(output: ["objects": .array(refs), "object": refs.count == 1 ? refs[0] : .null], children: children)
    }
}
