/// Who makes a request. Threaded through every entry point of `MemoryCluster` so that
/// authorization (RBAC, when `authorizationMode` is `.rbac`) checks it; in-process callers
/// without a user are never checked.
public struct RequestContext: Sendable, Equatable {
    public var user: String?
    public var groups: [String]

    public init(user: String? = nil, groups: [String] = []) {
        self.user = user
        self.groups = groups
    }

    /// In-process callers: no identity.
    public static let anonymous = RequestContext()
}
