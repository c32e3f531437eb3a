import JSONValue
import Kube
import Spec
import Steps

/// What a preview starts from: the API it may use (offline: discovery only; with a
/// cluster: reads and dry runs only), the watched resource type, and the object as the
/// handlers would see it — checked against the watched kind, with a namespace, and with
/// the live object's identity and status when there is a cluster. Notes say what was
/// assumed or found.
struct PreviewSetup {
    let api: any KubeAPI
    /// Reads run and writes are dry-run.
    let cluster: Bool
    let resolver: ResourceResolver
    let info: ResourceInfo
    let object: JSON
    let notes: [String]

    static func make(_ request: HandlerPreviewer.Request, source: HandlerPreviewer.Source) async throws(PreviewError) -> PreviewSetup {
        let spec = request.loaded.spec
        var object = try ObjectCheck.basics(request.object, file: request.objectFile)
        if let old = request.old {
            let o = try ObjectCheck.basics(old, file: request.oldFile)
            guard o["apiVersion"] == object["apiVersion"], o["kind"] == object["kind"] else {
                throw PreviewError("\(request.oldFile) is a \(o["apiVersion"]?.string ?? "") \(o["kind"]?.string ?? ""), \(request.objectFile) a \(object["apiVersion"]?.string ?? "") \(object["kind"]?.string ?? ""): give two versions of one object")
            }
        }
        var notes: [String] = []

        // The API and the watched resource type.
        let api: any KubeAPI
        let cluster: Bool
        switch source {
        case .offline:
            let known = try await OfflineDiscovery.known(for: request.loaded)
            let namespaced = !(object["metadata"]?["namespace"]?.string ?? "").isEmpty
            let (served, guessed) = OfflineDiscovery.served(known: known, spec: spec, objectKind: object["kind"]?.string ?? "", objectNamespaced: namespaced)
            api = OfflineAPI(served: served)
            cluster = false
            if !guessed.isEmpty {
                notes.append("without a cluster, these kinds are assumed namespaced (no CRD at hand): \(guessed.joined(separator: ", "))")
            }
        case .cluster(let base):
            api = ReadOnlyAPI(base: base)
            cluster = true
        }
        let resolver = ResourceResolver(api: api)
        let info: ResourceInfo
        do {
            let w = spec.watch
            if let plural = w.plural {
                info = try await resolver.resolve(GroupVersionResource(group: w.group, version: w.version, resource: plural))
            } else {
                info = try await resolver.resolve(apiVersion: w.apiVersion, kind: w.kind ?? "")
            }
        } catch {
            throw PreviewError("\(request.loaded.file): cannot resolve the watched resource \(spec.watch.apiVersion) \(spec.watch.plural ?? spec.watch.kind ?? ""): \(error)")
        }
        try ObjectCheck.matches(&object, info: info, file: request.objectFile, operatorFile: request.loaded.file, notes: &notes)

        // With a cluster: the object as it is there lends what a file leaves out.
        if cluster {
            notes.append(await ObjectCheck.mergeLive(&object, api: api, info: info))
        } else if (object["metadata"]?["uid"]?.string ?? "").isEmpty {
            object.set("<uid>", at: ["metadata", "uid"])
            let jobs = spec.handlers.contains { $0.steps.contains { $0.kind == .job } }
            notes.append("the object has no metadata.uid: owner references show <uid>" + (jobs ? ", and Job names derived from it differ in the cluster" : ""))
        }
        return PreviewSetup(api: api, cluster: cluster, resolver: resolver, info: info, object: object, notes: notes)
    }
}
