import JSONValue

/// One rule of a Role or ClusterRole, matched as kube-apiserver's RBAC authorizer matches it.
///
/// - verbs and apiGroups: the value, or `*` for all.
/// - resources: `*` (every resource and subresource), `pods` (the resource only, not its
///   subresources), `pods/log` (that subresource), `*/scale` (that subresource of every
///   resource). Kubernetes has no `pods/*` wildcard: such an entry only matches a
///   subresource literally named `*`, so it is kept as written and matches nothing real.
/// - resourceNames: when present, only requests naming one of them (so never a list,
///   watch or create without a name).
/// - nonResourceURLs: a path, `*`, or a prefix ending in `*` (`/healthz/*`); they apply only
///   through ClusterRoleBindings.
public struct PolicyRule: Sendable, Equatable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
                nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// A rule from a Role's `rules[]`; fields that are missing or not string arrays count as empty.
    public init(json: JSON) {
        func strings(_ key: String) -> [String] { json[key]?.array?.compactMap(\.string) ?? [] }
        self.init(verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
                  resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    public func allows(_ a: RequestAttributes) -> Bool {
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        if !a.isResourceRequest { return matchesPath(a.path) }
        return (apiGroups.contains("*") || apiGroups.contains(a.group))
            && matchesResource(a.combinedResource, subresource: a.subresource)
            && (resourceNames.isEmpty || (!a.name.isEmpty && resourceNames.contains(a.name)))
    }

    func matchesResource(_ combined: String, subresource: String) -> Bool {
        for r in resources {
            if r == "*" || r == combined { return true }
            if !subresource.isEmpty, r == "*/" + subresource { return true }
        }
        return false
    }

    func matchesPath(_ path: String) -> Bool {
        for u in nonResourceURLs {
            if u == "*" || u == path { return true }
            if u.hasSuffix("*"), path.hasPrefix(String(u.reversed().drop { $0 == "*" }.reversed())) { return true }
        }
        return false
    }
}
