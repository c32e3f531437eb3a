import JSONValue
import Kube
import Spec

/// `apply`: server-side apply of each manifest, owned by the resource.
enum ApplyStep {
    /// The manifests as they would be applied (`yopf plan` shows these).
    static func render(_ action: ApplyAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> [PreparedManifest] {
        var prepared = try await ManifestPreparation.renderAll(action.manifests, namespace: action.namespace, scope: scope, env: env, step: step)
        // Kept objects outlive the resource: no owner link for them.
        guard action.ifExists != .keep else { return prepared }
        for i in prepared.indices {
            let m = prepared[i]
            prepared[i].link = Ownership.attach(to: &prepared[i].body, childNamespaced: m.info.namespaced, childNamespace: m.ref.namespace, env: env)
        }
        return prepared
    }

    static func run(_ action: ApplyAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let prepared = try await render(action, scope, env, step: step)
        var refs: [JSON] = []
        var children: [ChildRef] = []
        for m in prepared {
            if action.ifExists == .keep {
                do {
                    let existing = try await env.api.get(m.ref)
                    refs.append(Ownership.reference(existing, link: nil).with("created", false))
                    continue
                } catch let e as KubeError where e.code == 404 {}
            }
            let link = m.link
            let result: JSON
            do {
                result = try await env.api.patch(m.ref, subresource: nil, type: .apply, body: m.body,
                                                 options: WriteOptions(fieldManager: env.fieldManager, force: true))
            } catch let e as KubeError {
                throw StepError("\(step): cannot apply \(m.info.kind) \(m.ref.name): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
            }
            refs.append(Ownership.reference(result, link: link).with("created", true))
            children.append(ChildRef(result, link: link))
        }
        return StepOutcome(output: ["objects": .array(refs), "object": refs.count == 1 ? refs[0] : .null], children: children)
    }
}

extension JSON {
    func with(_ key: String, _ value: JSON) -> JSON {
        var o = self
        o[key] = value
        return o
    }
}
