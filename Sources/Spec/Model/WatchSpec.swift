/// `spec.watch`: the resource the operator handles.
public struct WatchSpec: Sendable {
    /// API group; "" is the core group.
    public var group: String
    public var version: String
    /// The plural resource name (`mysqls`); when nil, `kind` is resolved by discovery.
    public var plural: String?
    /// The kind (`MySQL`); either this or `plural` is set, or both.
    public var kind: String?
    /// Whether the resource is namespaced; nil means: ask discovery.
    public var namespaced: Bool?
    /// Server-side label selector.
    public var selector: LabelSelector?
    /// Client-side jq filter: objects for which it is false or null are ignored.
    public var filter: Expression?

    public init(
        group: String, version: String, plural: String? = nil, kind: String? = nil, namespaced: Bool? = nil,
        selector: LabelSelector? = nil, filter: Expression? = nil
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.selector = selector
        self.filter = filter
    }

    /// `group/version`, or just `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}
