import Kube

/// How the elements of one list relate, which decides how patches and server-side apply
/// merge it: `atomic` lists are replaced whole, `set` lists hold distinct scalars merged by
/// value, `map` lists hold objects merged by their key fields.
enum ListType: Equatable, Sendable {
    case atomic
    case set
    case map(keys: [String])
}

/// Where list types come from: a hard-coded table for built-in kinds (the
/// `patchMergeKey`/`listType` markers of the Kubernetes Go types that matter in practice),
/// or a custom resource's structural schema (`x-kubernetes-list-type`).
///
/// Paths are the object's field names from the root, with list items left out:
/// `spec.template.spec.containers.env` is `["spec", "template", "spec", "containers", "env"]`.
struct ListSemantics: Sendable {
    private enum Source: Sendable {
        /// A built-in kind, by name (a few paths differ between kinds).
        case builtIn(kind: String)
        case schema(StructuralSchema)
        case objectMetaOnly
    }

    private let source: Source

    /// Built-in kinds use the table; other kinds (custom resources without a known schema)
    /// treat every list as atomic, as kube-apiserver does, except those of `metadata`.
    static func forKind(_ kind: GroupVersionKind) -> ListSemantics {
        ListSemantics(source: isBuiltInGroup(kind.group) ? .builtIn(kind: kind.kind) : .objectMetaOnly)
    }

    /// A custom resource's lists as its schema declares them.
    static func schema(_ schema: StructuralSchema) -> ListSemantics { ListSemantics(source: .schema(schema)) }


    /// The custom resource's schema, when the lists come from one.
    var schema: StructuralSchema? {
        if case .schema(let schema) = source { return schema }
        return nil
    }

    /// Whether the object is of a built-in kind (typed Go structs behind it).
    var isBuiltIn: Bool {
        if case .builtIn = source { return true }
        return false
    }

    func listType(at path: [String]) -> ListType {
        if let meta = Self.objectMetaListType(path) { return meta }
        switch source {
        case .builtIn: return Self.builtInListType(path)
        case .schema(let schema): return schema.listType(at: path) ?? .atomic
        case .objectMetaOnly: return .atomic
        }
    }

    /// Whether the object at `path` is owned and replaced whole by server-side apply
    /// (`+structType=atomic` label selectors, `x-kubernetes-map-type: atomic`).
    func isAtomicMap(at path: [String]) -> Bool {
        guard let name = path.last else { return false }
        switch source {
        case .builtIn(let kind):
            switch name {
            case "selector":
                // A Service's and a ReplicationController's selectors are plain label maps.
                return kind != "Service" && kind != "ReplicationController"
            case "podSelector", "namespaceSelector", "labelSelector":
                return true
            default:
                return false
            }
        case .schema(let schema):
            return schema.schema(at: path)?.node["x-kubernetes-map-type"]?.string == "atomic"
        case .objectMetaOnly:
            return false
        }
    }

    /// Groups served by kube-apiserver itself: the core group, dot-less groups (`apps`,
    /// `batch`, ...) and `*.k8s.io`. Custom resources always live in dotted groups.
    static func isBuiltInGroup(_ group: String) -> Bool {
        group.isEmpty || !group.contains(".") || group.hasSuffix(".k8s.io")
    }

    /// ObjectMeta's lists, wherever an object's metadata sits (the root or a pod template).
    private static func objectMetaListType(_ path: [String]) -> ListType? {
        guard path.count >= 2, path[path.count - 2] == "metadata" else { return nil }
        switch path[path.count - 1] {
        case "finalizers": return .set
        case "ownerReferences": return .map(keys: ["uid"])
        case "managedFields": return .atomic
        default: return nil
        }
    }

    private static let containerLists: Set<String> = ["containers", "initContainers", "ephemeralContainers"]

    private static func builtInListType(_ path: [String]) -> ListType {
        guard let name = path.last else { return .atomic }
        let parent = path.count >= 2 ? path[path.count - 2] : ""
        let inContainer = containerLists.contains(parent)
        switch name {
        case "containers", "initContainers", "ephemeralContainers":
            // A pod spec's container lists (status.containerStatuses are named differently).
            return parent == "spec" ? .map(keys: ["name"]) : .atomic
        case "env" where inContainer: return .map(keys: ["name"])
        case "volumeMounts" where inContainer: return .map(keys: ["mountPath"])
        case "volumeDevices" where inContainer: return .map(keys: ["devicePath"])
        case "resizePolicy" where inContainer: return .map(keys: ["resourceName"])
        case "ports" where inContainer: return .map(keys: ["containerPort"])
        case "ports" where path == ["spec", "ports"]: return .map(keys: ["port"])  // a Service
        case "volumes", "imagePullSecrets", "resourceClaims", "schedulingGates":
            return parent == "spec" ? .map(keys: ["name"]) : .atomic
        case "hostAliases" where parent == "spec": return .map(keys: ["ip"])
        case "topologySpreadConstraints" where parent == "spec": return .map(keys: ["topologyKey", "whenUnsatisfiable"])
        case "conditions" where parent == "status": return .map(keys: ["type"])
        default: return .atomic
        }
    }
}
