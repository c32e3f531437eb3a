import JSONValue
import Kube
import Spec

/// A manifest as a step sends it: templates rendered, namespace filled in, and (once
/// `Ownership.attach` ran) tied to the resource.
public struct PreparedManifest: Sendable {
    public var body: JSON
    public var info: ResourceInfo
    public var ref: ObjectRef
    /// How it is tied to the resource; nil: not tied (yet, or `ifExists: keep`).
    public var link: Ownership.Link?
}

/// Checks a rendered manifest and fills in what it may leave out: the namespace.

enum ManifestPreparation {
    static func prepare(_ manifest: JSON, namespaceOverride: String?, env: StepEnvironment, step: String) async throws -> PreparedManifest {
        guard case .object = manifest else {
            throw StepError("\(step): a manifest must render to an object, got \(manifest.typeName)", permanent: true)
        }
        guard let apiVersion = manifest["apiVersion"]?.string, let kind = manifest["kind"]?.string else {
            throw StepError("\(step): the manifest has no apiVersion or kind", permanent: true)
        }
        guard let name = manifest["metadata"]?["name"]?.string, !name.isEmpty else {
            throw StepError("\(step): the \(kind) manifest has no metadata.name", permanent: true)
        }
        let info = try await env.resolver.resolve(apiVersion: apiVersion, kind: kind)
        var body = manifest
        var namespace: String? = nil
        if info.namespaced {
            namespace = namespaceOverride ?? manifest["metadata"]?["namespace"]?.string ?? env.ownerNamespace
            guard let ns = namespace, !ns.isEmpty else {
                throw StepError("\(step): \(kind) \(name) is namespaced but has no namespace, and the resource being handled is cluster-scoped", permanent: true)
            }
            body.set(.string(ns), at: ["metadata", "namespace"])
        } else {
            body.remove(at: ["metadata", "namespace"])
        }
        return PreparedManifest(body: body, info: info, ref: ObjectRef(info.gvr, namespace: namespace, name: name), link: nil)
    }

    /// Renders a step's manifests and prepares each.
    static func renderAll(_ manifests: [TemplateValue], namespace: TemplateValue?, scope: Scope, env: StepEnvironment, step: String) async throws -> [PreparedManifest] {
        var nsOverride: String? = nil
        if let ns = namespace { nsOverride = try await env.evaluator.string(ns, scope, what: "\(step): namespace") }
        var out: [PreparedManifest] = []
        for m in manifests {
            let rendered = try await env.evaluator.render(m, scope)
            // A template may render to a list of objects (a `forEach`-free way to fan out).
            let items: [JSON] = rendered.array ?? [rendered]
            for item in items where !item.isNull {
                out.append(try await prepare(item, namespaceOverride: nsOverride, env: env, step: step))
            }
        }
        return out
    }
}

