import JSONValue
import Kube
import Spec

/// `create`: POST each manifest, owned by the resource; an existing object is kept or fails the step.
enum CreateStep {
    /// The manifests as they would be created (`yopf plan` shows these).
    static func render(_ action: CreateAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> [PreparedManifest] {
        var prepared = try await ManifestPreparation.renderAll(action.manifests, namespace: action.namespace, scope: scope, env: env, step: step)
        for i in prepared.indices {
            let m = prepared[i]
            prepared[i].link = Ownership.attach(to: &prepared[i].body, childNamespaced: m.info.namespaced, childNamespace: m.ref.namespace, env: env)
        }
        return prepared
    }

    static func run(_ action: CreateAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let prepared = try await render(action, scope, env, step: step)
        var refs: [JSON] = []
        var children: [ChildRef] = []
        for m in prepared {
            let link = m.link
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
