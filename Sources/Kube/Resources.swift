import JSONValue

/// A resource type as the API serves it: `apps/v1 deployments` (group "" is the core group).
public struct GroupVersionResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    /// The plural, lower-case resource name, e.g. `deployments`.
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `v1` for the core group, `apps/v1` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)" }
}

/// A kind in a group and version, e.g. `apps/v1 Deployment`.
public struct GroupVersionKind: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Splits an `apiVersion` such as `apps/v1` or `v1`.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { "\(apiVersion) \(kind)" }
}

/// What discovery says about one resource type.
public struct ResourceInfo: Hashable, Sendable {
    public var gvr: GroupVersionResource
    public var kind: String
    public var singular: String
    public var namespaced: Bool
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources served, e.g. `["status", "scale"]`.
    public var subresources: [String]

    public init(
        gvr: GroupVersionResource, kind: String, singular: String? = nil, namespaced: Bool,
        verbs: [String] = ResourceInfo.allVerbs, shortNames: [String] = [], categories: [String] = [],
        subresources: [String] = []
    ) {
        self.gvr = gvr
        self.kind = kind
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }

    public var gvk: GroupVersionKind { GroupVersionKind(group: gvr.group, version: gvr.version, kind: kind) }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
}

/// One object: a resource type, a namespace (nil for cluster-scoped) and a name.
public struct ObjectRef: Hashable, Sendable, CustomStringConvertible {
    public var gvr: GroupVersionResource
    public var namespace: String?
    public var name: String

    public init(_ gvr: GroupVersionResource, namespace: String?, name: String) {
        self.gvr = gvr
        self.namespace = namespace
        self.name = name
    }

    public var description: String {
        if let namespace { return "\(gvr.resource)/\(namespace)/\(name)" }
        return "\(gvr.resource)/\(name)"
    }
}
