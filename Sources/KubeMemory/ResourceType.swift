import JSONValue
import Kube

/// Storage identity of a resource type: objects of all served versions of a group and
/// resource live in one place, and are shown in the version a request asks for.
struct GroupResource: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var resource: String

    init(_ gvr: GroupVersionResource) {
        group = gvr.group
        resource = gvr.resource
    }

    init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// Where a scalable type keeps its replica counts and selector (the `scale` subresource).
struct ScalePaths: Sendable {
    var specReplicas: [String]
    var statusReplicas: [String]
    /// For custom resources: where the selector string lives. nil for built-ins, whose
    /// selector is `spec.selector` as a LabelSelector object.
    var labelSelector: [String]?
    var builtinSelector: Bool

    /// `.spec.replicas` → ["spec", "replicas"].
    static func path(_ jsonPath: String) -> [String] {
        jsonPath.split(separator: ".").map(String.init)
    }
}

/// Everything the server knows about one served resource type in one version.
struct ResourceType: Sendable {
    var info: ResourceInfo
    var hasStatus: Bool
    var scale: ScalePaths?
    /// Whether `metadata.generation` is kept (CRs and built-ins with a spec).
    var tracksGeneration: Bool
    var nameRule: NameRule
    /// Field selector labels beyond metadata.name and metadata.namespace.
    var fieldLabels: Set<String>
    /// The CRD that defines this type (custom resources only).
    var crdName: String?
    var openAPISchema: JSON?
    var schema: StructuralSchema?

    var isCustom: Bool { crdName != nil }
    /// How server-side apply and managed fields treat this type's lists (schema for CRs).
    var listSemantics: ListSemantics? { schema.map { ListSemantics.schema($0) } }
    var gvr: GroupVersionResource { info.gvr }
    var groupResource: GroupResource { GroupResource(info.gvr) }
    var kind: String { info.kind }
    var listKind: String { info.kind + "List" }
    var apiVersion: String { info.gvr.apiVersion }
    /// `Deployment.apps`, as kube names kinds in Invalid errors.
    var qualifiedKind: String { info.gvr.group.isEmpty ? info.kind : "\(info.kind).\(info.gvr.group)" }
}
