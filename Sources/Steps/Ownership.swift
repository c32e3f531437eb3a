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
    /// On every child an operator makes: what its watch of owned kinds selects.
    public static let operatorLabel = "yopf.dev/operator"

    public enum Link: String, Sendable {
        case reference, labels
    }

    /// Adds the link to `child` (a manifest about to be applied) and says which it used.
    public static func attach(to child: inout JSON, childNamespaced: Bool, childNamespace: String?, env: StepEnvironment) -> Link {
        if !env.operatorName.isEmpty {
            child.set(.string(env.operatorName), at: ["metadata", "labels", operatorLabel])
        }
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

    /// The owner an owned child names: through an owner reference to a resource of the
    /// watched kind, or through the owner annotation yopf writes beside its owner labels.
    /// Returns (namespace, name) of the owner.
    public static func owner(of child: JSON, ownerGroup: String, ownerKind: String, ownerNamespaced: Bool) -> (namespace: String?, name: String)? {
        let meta = child["metadata"] ?? [:]
        for ref in meta["ownerReferences"]?.array ?? [] {
            guard ref["kind"]?.string == ownerKind, let name = ref["name"]?.string else { continue }
            let apiVersion = ref["apiVersion"]?.string ?? ""
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            guard group == ownerGroup else { continue }
            // Owner references reach within a namespace, or from a cluster-scoped owner.
            return (ownerNamespaced ? meta["namespace"]?.string : nil, name)
        }
        if let text = meta["annotations"]?[ownerAnnotation]?.string {
            // apiVersion/kind/namespace/name, where apiVersion may hold a slash.
            var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4 else { return nil }
            let name = parts.removeLast()
            let namespace = parts.removeLast()
            let kind = parts.removeLast()
            let apiVersion = parts.joined(separator: "/")
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            guard kind == ownerKind, group == ownerGroup, !name.isEmpty else { return nil }
            return (namespace.isEmpty ? nil : namespace, name)
        }
        return nil
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
