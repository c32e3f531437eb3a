import JSONValue
import Kube

/// The discovery documents, legacy and aggregated, built from the resource types served.
///
/// Legacy discovery is one document per level (`/api`, `/apis`, `/apis/g`, `/api/v1`,
/// `/apis/g/v`); aggregated discovery (`apidiscovery.k8s.io` v2 and v2beta1) is one
/// `APIGroupDiscoveryList` for `/api` and one for `/apis`, which kubectl 1.26+ asks for
/// first and uses instead of walking every group version.
public struct Discovery: Sendable {
    public var resources: [ResourceInfo]

    public init(resources: [ResourceInfo]) { self.resources = resources }

    /// Group names in first-seen order, the core group ("") excluded.
    var groups: [String] {
        var seen: [String] = []
        for r in resources where !r.gvr.group.isEmpty && !seen.contains(r.gvr.group) { seen.append(r.gvr.group) }
        return seen
    }

    /// The versions of a group, preferred first.
    func versions(of group: String) -> [String] {
        var seen: [String] = []
        for r in resources where r.gvr.group == group && !seen.contains(r.gvr.version) { seen.append(r.gvr.version) }
        return seen.sorted { Discovery.versionRank($0) < Discovery.versionRank($1) }
    }

    func resources(group: String, version: String) -> [ResourceInfo] {
        resources.filter { $0.gvr.group == group && $0.gvr.version == version }
    }

    /// Kubernetes version priority: GA before beta before alpha, higher numbers first,
    /// anything else last in lexical order.
    static func versionRank(_ v: String) -> (Int, Int, Int, String) {
        guard v.hasPrefix("v") else { return (3, 0, 0, v) }
        let body = v.dropFirst()
        let digits = body.prefix { $0.isNumber }
        guard let major = Int(digits) else { return (3, 0, 0, v) }
        let rest = body.dropFirst(digits.count)
        if rest.isEmpty { return (0, -major, 0, v) }
        for (rank, word) in [(1, "beta"), (2, "alpha")] where rest.hasPrefix(word) {
            if let minor = Int(rest.dropFirst(word.count)) { return (rank, -major, -minor, v) }
        }
        return (3, 0, 0, v)
    }

    // MARK: Legacy

    public func apiVersions(serverAddress: String) -> JSON {
        [
            "kind": "APIVersions",
            "versions": .array(versions(of: "").map { .string($0) }),
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    func apiGroup(_ group: String) -> JSON {
        let versions = versions(of: group)
        let entries: [JSON] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        var g: JSON = ["name": .string(group), "versions": .array(entries)]
        if let first = entries.first { g["preferredVersion"] = first }
        return g
    }

    public func apiGroupList() -> JSON {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(apiGroup))]
    }

    /// `/apis/{group}`; nil when the group is not served.
    public func apiGroupDocument(_ group: String) -> JSON? {
        guard groups.contains(group) else { return nil }
        var g = apiGroup(group)
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return g
    }

    /// `/api/v1`, `/apis/{group}/{version}`; nil when that group version is not served.
    public func apiResourceList(group: String, version: String) -> JSON? {
        let infos = resources(group: group, version: version)
        guard !infos.isEmpty else { return nil }
        var list: [JSON] = []
        for r in infos {
            var entry: JSON = [
                "name": .string(r.gvr.resource), "singularName": .string(r.singular),
                "namespaced": .bool(r.namespaced), "kind": .string(r.kind),
                "verbs": .array(r.verbs.map { .string($0) }),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            list.append(entry)
            for sub in r.subresources {
                var s: JSON = [
                    "name": .string("\(r.gvr.resource)/\(sub)"), "singularName": "",
                    "namespaced": .bool(r.namespaced), "kind": .string(r.kind),
                    "verbs": .array(Discovery.subresourceVerbs(sub).map { .string($0) }),
                ]
                if let kind = Discovery.subresourceKind(sub) {
                    s["group"] = .string(kind.group)
                    s["version"] = .string(kind.version)
                    s["kind"] = .string(kind.kind)
                }
                list.append(s)
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(list),
        ]
    }

    static func subresourceVerbs(_ sub: String) -> [String] {
        switch sub {
        case "status", "scale": return ["get", "patch", "update"]
        case "exec", "attach", "portforward", "proxy": return ["create", "get"]
        case "log": return ["get"]
        default: return ["create"]
        }
    }

    /// Subresources whose body is not the parent kind.
    static func subresourceKind(_ sub: String) -> GroupVersionKind? {
        switch sub {
        case "scale": return GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        case "exec", "attach", "portforward": return GroupVersionKind(group: "", version: "v1", kind: "PodExecOptions")
        default: return nil
        }
    }

    // MARK: Aggregated (apidiscovery.k8s.io)

    /// The `APIGroupDiscoveryList` of `/api` (core: true) or `/apis` (core: false).
    public func aggregated(core: Bool, version: String) -> JSON {
        let names = core ? (resources.contains { $0.gvr.group.isEmpty } ? [""] : []) : groups
        let items: [JSON] = names.map { group in
            var metadata: JSON = ["creationTimestamp": .null]
            if !group.isEmpty { metadata["name"] = .string(group) }
            let versions: [JSON] = versions(of: group).map { v in
                [
                    "version": .string(v),
                    "resources": .array(resources(group: group, version: v).map(aggregatedResource)),
                    "freshness": "Current",
                ]
            }
            return ["metadata": metadata, "versions": .array(versions)]
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
            "metadata": [:], "items": .array(items),
        ]
    }

    func aggregatedResource(_ r: ResourceInfo) -> JSON {
        var entry: JSON = [
            "resource": .string(r.gvr.resource),
            "responseKind": ["group": .string(r.gvr.group), "version": .string(r.gvr.version), "kind": .string(r.kind)],
            "scope": r.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(r.singular),
            "verbs": .array(r.verbs.map { .string($0) }),
        ]
        if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
        if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
        if !r.subresources.isEmpty {
            entry["subresources"] = .array(r.subresources.map { sub in
                let kind = Discovery.subresourceKind(sub) ?? r.gvk
                return [
                    "subresource": .string(sub),
                    "responseKind": ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)],
                    "verbs": .array(Discovery.subresourceVerbs(sub).map { .string($0) }),
                ]
            })
        }
        return entry
    }

    /// `/version`, as kubectl 1.32 expects to find it.
    public static let version: JSON = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3",
        "compiler": "gc", "platform": "linux/amd64",
    ]
}
