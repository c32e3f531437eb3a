/// A request path under `/api/v1` or `/apis/{group}/{version}`, split into what it names.
///
/// `/api/v1/namespaces/ns/pods/p/status` → group "", version v1, namespace ns, resource
/// pods, name p, subresource status. `/api/v1/namespaces/ns` is the namespace object ns.
public struct ResourcePath: Equatable, Sendable {
    public var group: String
    public var version: String
    public var namespace: String?
    public var resource: String
    public var name: String?
    public var subresource: String?

    public init(group: String, version: String, namespace: String? = nil, resource: String, name: String? = nil, subresource: String? = nil) {
        self.group = group
        self.version = version
        self.namespace = namespace
        self.resource = resource
        self.name = name
        self.subresource = subresource
    }

    /// Parses path segments after the group-version prefix; nil when they name nothing
    /// (too many segments, empty names).
    public init?(group: String, version: String, segments: [String]) {
        guard !segments.isEmpty, !segments.contains(where: \.isEmpty) else { return nil }
        self.group = group
        self.version = version
        var rest = segments[...]
        let namespaceSubresource = rest.count == 3 && rest.first == "namespaces" && (rest.last == "status" || rest.last == "finalize")
        if rest.count >= 3, rest.first == "namespaces", !namespaceSubresource {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        } else {
            namespace = nil
        }
        guard rest.count <= 3, let first = rest.first else { return nil }
        resource = first
        name = rest.count > 1 ? rest[rest.startIndex + 1] : nil
        subresource = rest.count > 2 ? rest[rest.startIndex + 2] : nil
    }

    /// Splits `/api/v1/...` and `/apis/g/v/...`; nil for any other path or for the
    /// discovery documents themselves (`/api/v1`, `/apis/g/v`).
    public init?(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        if segments.count >= 3, segments[0] == "api" {
            self.init(group: "", version: segments[1], segments: Array(segments.dropFirst(2)))
        } else if segments.count >= 4, segments[0] == "apis" {
            self.init(group: segments[1], version: segments[2], segments: Array(segments.dropFirst(3)))
        } else {
            return nil
        }
    }
}
