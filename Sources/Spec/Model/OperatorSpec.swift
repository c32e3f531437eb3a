import JSONValue

/// An operator file (`apiVersion: yopf.dev/v1alpha1`, `kind: Operator`), validated.
///
/// What to watch, and the handlers that react to its events. Every expression in it has
/// been compiled into the operator's one `JQProgram` (see `LoadedOperator`).
public struct OperatorSpec: Sendable {
    /// The only `apiVersion` this build reads.
    public static let apiVersion = "yopf.dev/v1alpha1"
    public static let kind = "Operator"

    /// `metadata.name`.
    public var name: String
    public var watch: WatchSpec
    /// In file order.
    public var handlers: [HandlerSpec]
    /// `spec.serviceAccount`: the ServiceAccount (in the object's namespace) whose token the
    /// steps of every handler use, unless a handler names its own. Nil: the operator's own.
    public var serviceAccount: Expression?
    /// `spec.crd`: the CustomResourceDefinition for `yopf manifests`.
    public var crd: CRDSource?
    /// `spec.rbac`: rules `yopf manifests` adds to those the steps need.
    public var rbac: [RBACRule]
    public var settings: OperatorSettings
    /// `spec.owns`: kinds of children whose changes make their owner due for `reconcile`.
    public var owns: [OwnedKind]
    /// `spec.resync`: every object is reconciled this often (with jitter); nil: never.
    public var resync: Duration?
    /// `spec.concurrency`: at most `limit` handler runs with the same key at once.
    public var concurrency: ConcurrencySpec?

    public init(
        name: String, watch: WatchSpec, handlers: [HandlerSpec], serviceAccount: Expression? = nil,
        crd: CRDSource? = nil, rbac: [RBACRule] = [], settings: OperatorSettings = OperatorSettings(),
        owns: [OwnedKind] = [], resync: Duration? = nil, concurrency: ConcurrencySpec? = nil
    ) {
        self.name = name
        self.watch = watch
        self.handlers = handlers
        self.serviceAccount = serviceAccount
        self.crd = crd
        self.rbac = rbac
        self.settings = settings
        self.owns = owns
        self.resync = resync
        self.concurrency = concurrency
    }

    /// The handlers that react to one kind of event, in file order.
    public func handlers(on event: HandlerEvent) -> [HandlerSpec] {
        handlers.filter { $0.on == event }
    }

    /// Whether a finalizer is needed: only when some handler runs on delete.
    public var needsFinalizer: Bool { handlers.contains { $0.on == .delete } }

    /// How many steps all handlers have together.
    public var stepCount: Int { handlers.reduce(0) { $0 + $1.steps.count } }
}

/// `spec.settings`: knobs of the runtime that belong to the operator rather than to a run.
public struct OperatorSettings: Sendable, Hashable {
    /// How many objects are handled at the same time (`yopf run --concurrency` overrides).
    public var concurrency: Int?
    /// The finalizer put on watched objects when delete handlers exist.
    public var finalizer: String

    public static let defaultFinalizer = "yopf.dev/finalizer"

    public init(concurrency: Int? = nil, finalizer: String = OperatorSettings.defaultFinalizer) {
        self.concurrency = concurrency
        self.finalizer = finalizer
    }
}

/// One extra RBAC rule (`spec.rbac[]`), as in a Kubernetes Role.
public struct RBACRule: Sendable, Hashable {
    public var apiGroups: [String]
    public var resources: [String]
    public var verbs: [String]
    public var resourceNames: [String]

    public init(apiGroups: [String], resources: [String], verbs: [String], resourceNames: [String] = []) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
    }
}

/// `spec.crd`: the CustomResourceDefinition of the watched kind.
public enum CRDSource: Sendable, Hashable {
    /// A CRD manifest in a file (path relative to the operator's folder), as loaded.
    case file(path: String, manifest: JSON)
    /// The parts of a CRD written in the operator file: `scope`, `names`, `versions` (each
    /// with `name`, `served`, `storage`, `schema`, …) as plain JSON; group and plural come
    /// from `watch`.
    case inline(JSON)
}
