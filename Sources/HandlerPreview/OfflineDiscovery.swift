import Kube
import KubeMemory
import Manifests
import Spec
import Platform

/// Discovery without a cluster: the kinds the caller knows (the built-in kinds and the
/// operator's CRD), plus a guess for every other kind the operator's steps name — so that
/// a Certificate of cert-manager can be previewed without its CRD. A guessed kind is
/// namespaced, its plural is the default one a CRD would get, and it has `status` and
/// `scale`; the plan says which kinds it guessed.
enum OfflineDiscovery {
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    /// What the in-memory API server serves once the operator's CRD is installed in it.
    static func known(for loaded: LoadedOperator) async throws(PreviewError) -> [ResourceInfo] {
        let memory = MemoryCluster()
        do {
            if let crd = loaded.spec.crdManifest() {
                _ = try await memory.create(crds, namespace: nil, body: crd, options: WriteOptions(fieldManager: "yopf"))
            }
            return try await memory.resources()
        } catch let e as KubeError {
            throw PreviewError("\(loaded.file): the CRD it declares is not accepted: \(e.message)")
        } catch {
            throw PreviewError("\(loaded.file): \(error)")
        }
    }

    /// `known` plus guesses; the guesses' descriptions (`cert-manager.io/v1 Certificate`).
    static func served(known: [ResourceInfo], spec: OperatorSpec, objectKind: String, objectNamespaced: Bool) -> ([ResourceInfo], [String]) {
        var served = known
        var guessed: [String] = []
        func knows(_ apiVersion: String?, _ kind: String) -> Bool {
            guard let apiVersion else { return served.contains { $0.kind == kind } }
            let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
            return served.contains { $0.gvk == gvk }
        }
        func guess(_ apiVersion: String?, _ kind: String, namespaced: Bool = true, plural: String? = nil) {
            // Without an apiVersion a kind is resolved by name only: nothing to guess from.
            guard let apiVersion, !kind.isEmpty, !kind.includes("${{"), !apiVersion.includes("${{"), !knows(apiVersion, kind) else { return }
            let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
            served.append(ResourceInfo(
                gvr: GroupVersionResource(group: gvk.group, version: gvk.version, resource: plural ?? Plurals.plural(of: kind)),
                kind: kind, namespaced: namespaced, subresources: ["status", "scale"]))
            guessed.append("\(apiVersion) \(kind)")
        }
        let watch = spec.watch
        let watchedKnown = served.contains { info in
            info.gvr.group == watch.group && info.gvr.version == watch.version
                && (watch.plural.map { $0 == info.gvr.resource } ?? (info.kind == watch.kind))
        }
        if !watchedKnown {
            // No CRD declared: the object file says what the kind is called and whether it
            // has a namespace.
            guess(watch.apiVersion, watch.kind ?? objectKind, namespaced: watch.namespaced ?? objectNamespaced, plural: watch.plural)
        }
        for handler in spec.handlers {
            for step in handler.steps {
                for (apiVersion, kind) in kinds(of: step.action) { guess(apiVersion, kind) }
            }
        }
        return (served, guessed)
    }

    /// The (apiVersion, kind) pairs a step names literally: its target, or the constant
    /// apiVersion and kind of each manifest it sends.
    static func kinds(of action: StepAction) -> [(String?, String)] {
        func manifests(_ list: [TemplateValue]) -> [(String?, String)] {
            list.flatMap { m in (m.value.array ?? [m.value]).compactMap { d -> (String?, String)? in
                guard let kind = d["kind"]?.string, let apiVersion = d["apiVersion"]?.string else { return nil }
                return (apiVersion, kind)
            } }
        }
        switch action {
        case .apply(let a): return manifests(a.manifests)
        case .create(let a): return manifests(a.manifests)
        case .job(let a): return manifests([a.manifest])
        case .patch(let a): return a.target.map { [($0.apiVersion, $0.kind)] } ?? []
        case .delete(let a): return [(a.target.apiVersion, a.target.kind)]
        case .get(let a): return [(a.target.apiVersion, a.target.kind)]
        case .list(let a): return [(a.target.apiVersion, a.target.kind)]
        case .scale(let a): return [(a.target.apiVersion, a.target.kind)]
        case .wait(let a): return [(a.target.apiVersion, a.target.kind)]
        case .exec, .stream, .status, .event, .fail, .run: return []
        }
    }
}
