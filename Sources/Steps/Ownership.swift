import JSONValue
import Kube

/// Ties children to the resource that made them, so they go when it goes.
///
/// An owner reference works only within one namespace, or from a cluster-scoped owner;
/// Kubernetes ignores (and GC may even delete) a child whose owner reference points
/// across namespaces. For those children yopf puts owner labels on them instead and
/// deletes them itself when the owner is deleted (through the finalizer).
public enum Ownership {
    public static let ownerUIDLabel = "yopf.dev/owner-uid"
    public static let ownerAnnotation = "yopf.dev/owner"

    public enum Link: String, Sendable {
        case reference, labels
    }

    /// Adds the link to `child` (a manifest about to be applied) and says which it used.
    public static func attach(to child: inout JSON, childNamespaced: Bool, childNamespace: String?, env: StepEnvironment) -> Link {
        let ownerNamespaced = env.ownerInfo.namespaced
        let sameScope = !ownerNamespaced || (childNamespaced && childNamespace == env.ownerNamespace)
        if sameScope {
            var refs = child["metadata"]?["ownerReferences"]?.array ?? []
            refs.removeAll { $0["uid"]?.string == env.ownerUID }
            refs.append([
                "apiVersion": env.owner["apiVersion"] ?? .string(env.ownerInfo.gvr.apiVersion),
                "kind": env.owner["kind"] ?? .string(env.ownerInfo.kind),
                "name": .string(env.ownerName), "uid": .string(env.ownerUID),
                "controller": true, "blockOwnerDeletion": true,
            ])
            child.set(.array(refs), at: ["metadata", "ownerReferences"])
            return .reference
        }
        child.set(.string(env.ownerUID), at: ["metadata", "labels", ownerUIDLabel])
        let ownerText = [env.owner["apiVersion"]?.string ?? "", env.owner["kind"]?.string ?? "", env.ownerNamespace ?? "", env.ownerName]
            .joined(separator: "/")
        child.set(.string(ownerText), at: ["metadata", "annotations", ownerAnnotation])
        return .labels
    }

    /// A short description of an object for `$steps` and for the owner's status.
    public static func reference(_ object: JSON, link: Link?) -> JSON {
        let meta = object["metadata"] ?? [:]
        var r: JSON = [
            "apiVersion": object["apiVersion"] ?? .null, "kind": object["kind"] ?? .null,
            "name": meta["name"] ?? .null,
        ]
        if let ns = meta["namespace"] { r["namespace"] = ns }
        if let uid = meta["uid"] { r["uid"] = uid }
        if let link { r["ownedBy"] = .string(link.rawValue) }
        return r
    }
}
