import JSONValue
import Spec
import Platform

/// One RBAC rule being built: a group, a resource (maybe `x/subresource`) and verbs.
struct RuleKey: Hashable, Comparable {
    var group: String
    var resource: String

    static func < (a: RuleKey, b: RuleKey) -> Bool { (a.group, a.resource) < (b.group, b.resource) }
}

/// A kind the derivation could not turn into a rule, and why.
public struct RBACGap: Sendable, CustomStringConvertible {
    public var handler: String
    public var step: String
    public var reason: String
    public var description: String { "handler \(handler), step \(step): \(reason)" }
}

/// Derives the least RBAC an operator needs from its watch and its steps: every verb on
/// every resource the runtime will touch, nothing else. Kinds computed by jq cannot be
/// known from the file: they are reported as gaps, to be covered by `rbac:` in the
/// operator file rather than by a wildcard.
public struct RBACRules: Sendable {
    public private(set) var rules: [JSON] = []
    public private(set) var gaps: [RBACGap] = []

    public init(for loaded: LoadedOperator, leaderElection: Bool, tenantCredentials: Bool) {
        var verbs: [RuleKey: Set<String>] = [:]
        func add(_ group: String, _ resource: String, _ v: [String]) {
            verbs[RuleKey(group: group, resource: resource), default: []].formUnion(v)
        }
        let spec = loaded.spec
        let watched = spec.watch.plural ?? Plurals.plural(of: spec.watch.kind ?? "")
        add(spec.watch.group, watched, ["get", "list", "watch"])
        // Progress, results and conditions: one status patch per write; finalizers: patch.
        add(spec.watch.group, watched + "/status", ["get", "patch", "update"])
        add(spec.watch.group, watched, ["patch", "update"])
        add("", "events", ["create", "patch"])
        if !spec.watch.group.isEmpty {
            // The start-up check that the CRD keeps status.yopf.
            add("apiextensions.k8s.io", "customresourcedefinitions", ["get"])
        }
        // Owned kinds are watched (list and watch, by the operator's label).
        for owned in spec.owns {
            add(Plurals.group(apiVersion: owned.apiVersion, kind: owned.kind), Plurals.plural(of: owned.kind), ["list", "watch"])
        }
        if leaderElection { add("coordination.k8s.io", "leases", ["get", "create", "update"]) }
        if tenantCredentials || spec.serviceAccount != nil || spec.handlers.contains(where: { $0.serviceAccount != nil }) {
            add("", "serviceaccounts/token", ["create"])
        }

        var gaps: [RBACGap] = []
        func target(_ apiVersion: String?, _ kind: String, _ v: [String], _ h: HandlerSpec, _ s: StepSpec) {
            guard !kind.includes("${{") else {
                gaps.append(RBACGap(handler: h.id, step: s.displayName, reason: "the kind is computed by jq; grant it with `rbac:`"))
                return
            }
            let group = Plurals.group(apiVersion: apiVersion, kind: kind)
            add(group, Plurals.plural(of: kind), v)
        }
        func manifests(_ list: [TemplateValue], _ v: [String], _ h: HandlerSpec, _ s: StepSpec) {
            for m in list {
                let docs = m.value.array ?? [m.value]
                for d in docs {
                    guard let kind = d["kind"]?.string, let apiVersion = d["apiVersion"]?.string,
                        !kind.includes("${{"), !apiVersion.includes("${{")
                    else {
                        gaps.append(RBACGap(handler: h.id, step: s.displayName, reason: "a manifest's apiVersion or kind is computed by jq; grant it with `rbac:`"))
                        continue
                    }
                    target(apiVersion, kind, v, h, s)
                }
            }
        }
        for h in spec.handlers {
            for s in h.steps {
                switch s.action {
                case .apply(let a): manifests(a.manifests, ["get", "create", "patch", "delete"], h, s)
                case .create(let a): manifests(a.manifests, ["get", "create"], h, s)
                case .patch(let a):
                    if let t = a.target { target(t.apiVersion, t.kind, ["get", "patch"], h, s) } else { add(spec.watch.group, watched, ["patch"]) }
                case .delete(let a): target(a.target.apiVersion, a.target.kind, ["get", "delete"], h, s)
                case .get(let a): target(a.target.apiVersion, a.target.kind, ["get"], h, s)
                case .list(let a): target(a.target.apiVersion, a.target.kind, ["list"], h, s)
                case .wait(let a): target(a.target.apiVersion, a.target.kind, ["get"], h, s)
                case .scale(let a):
                    target(a.target.apiVersion, a.target.kind, ["get"], h, s)
                    let group = Plurals.group(apiVersion: a.target.apiVersion, kind: a.target.kind)
                    add(group, Plurals.plural(of: a.target.kind) + "/scale", ["get", "patch", "update"])
                case .exec:
                    add("", "pods", ["get", "list"])
                    add("", "pods/exec", ["create", "get"])
                case .stream(let a):
                    add("", "pods", ["get", "list"])
                    add("", "pods/exec", ["create", "get"])
                    switch a.stdin {
                    case .secretKey: add("", "secrets", ["get"])
                    case .configMapKey: add("", "configmaps", ["get"])
                    default: break
                    }
                case .job(let j):
                    manifests([j.manifest], ["get", "create", "list", "watch", "delete"], h, s)
                    add("batch", "jobs", ["get", "create", "list", "watch", "delete"])
                    add("", "pods", ["get", "list"])
                    add("", "pods/log", ["get"])
                case .event: add("", "events", ["create", "patch"])
                case .status, .fail, .run: break
                }
            }
        }
        self.gaps = gaps
        var out: [JSON] = []
        for key in verbs.keys.sorted() {
            out.append([
                "apiGroups": [.string(key.group)], "resources": [.string(key.resource)],
                "verbs": .array(verbs[key]!.sorted().map { .string($0) }),
            ])
        }
        for extra in spec.rbac {
            var rule: JSON = [
                "apiGroups": .array(extra.apiGroups.map { .string($0) }), "resources": .array(extra.resources.map { .string($0) }),
                "verbs": .array(extra.verbs.map { .string($0) }),
            ]
            if !extra.resourceNames.isEmpty { rule["resourceNames"] = .array(extra.resourceNames.map { .string($0) }) }
            out.append(rule)
        }
        rules = out
    }
}

/// Kind → resource name and API group without a cluster to ask: the built-in kinds by
/// table, other kinds the way the API server names CRDs' plurals by default.
public enum Plurals {
    static let builtin: [String: (group: String, plural: String)] = [
        "Pod": ("", "pods"), "Service": ("", "services"), "ConfigMap": ("", "configmaps"), "Secret": ("", "secrets"),
        "PersistentVolume": ("", "persistentvolumes"), "PersistentVolumeClaim": ("", "persistentvolumeclaims"),
        "ServiceAccount": ("", "serviceaccounts"), "Namespace": ("", "namespaces"), "Event": ("", "events"),
        "Endpoints": ("", "endpoints"),
        "Deployment": ("apps", "deployments"), "StatefulSet": ("apps", "statefulsets"), "ReplicaSet": ("apps", "replicasets"),
        "DaemonSet": ("apps", "daemonsets"), "Job": ("batch", "jobs"), "CronJob": ("batch", "cronjobs"),
        "Lease": ("coordination.k8s.io", "leases"), "Ingress": ("networking.k8s.io", "ingresses"),
        "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
        "Role": ("rbac.authorization.k8s.io", "roles"), "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles"),
        "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings"), "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings"),
        "CustomResourceDefinition": ("apiextensions.k8s.io", "customresourcedefinitions"),
        "PodDisruptionBudget": ("policy", "poddisruptionbudgets"), "HorizontalPodAutoscaler": ("autoscaling", "horizontalpodautoscalers"),
    ]

    public static func plural(of kind: String) -> String {
        if let b = builtin[kind] { return b.plural }
        let lower = kind.lowercased()
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") { return lower + "es" }
        if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) { return lower.dropLast() + "ies" }
        return lower + "s"
    }

    static func group(apiVersion: String?, kind: String) -> String {
        if let apiVersion {
            guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
            return String(apiVersion[..<slash])
        }
        return builtin[kind]?.group ?? ""
    }
}
