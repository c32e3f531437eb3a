import JSONValue
import Spec

/// Everything `kubectl apply -f -` needs to run operators in a cluster: their CRDs, a
/// ServiceAccount, the least RBAC their steps need, and a Deployment with probes, the
/// metrics port, resource requests and a restricted security context.
public struct DeploymentManifests: Sendable {
    public struct Options: Sendable {
        public var image: String
        public var namespace: String
        public var replicas: Int
        public var leaderElection: Bool

        public init(image: String, namespace: String = "yopf-system", replicas: Int = 2, leaderElection: Bool = true) {
            self.image = image
            self.namespace = namespace
            self.replicas = replicas
            self.leaderElection = leaderElection
        }
    }

    /// Where the image holds yopf (the Dockerfile's ENTRYPOINT) and the operator folder
    /// (what an operator image copies its handlers to).
    public static let binaryPath = "/usr/local/bin/yopf"
    public static let operatorPath = "/operator"

    public private(set) var documents: [JSON] = []
    public private(set) var gaps: [RBACGap] = []

    public init(operators: [LoadedOperator], options: Options) {
        let name = Self.name(operators.map(\.spec.name))
        let labels: JSON = ["app.kubernetes.io/name": .string(name), "app.kubernetes.io/managed-by": "yopf"]
        var docs: [JSON] = []
        if !["default", "kube-system"].contains(options.namespace) {
            docs.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(options.namespace), "labels": labels]])
        }
        for op in operators {
            if let crd = op.spec.crdManifest() { docs.append(crd) }
        }
        docs.append([
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": .string(name), "namespace": .string(options.namespace), "labels": labels],
        ])
        var rules: [JSON] = []
        var gaps: [RBACGap] = []
        for op in operators {
            let derived = RBACRules(for: op, leaderElection: false, tenantCredentials: false)
            rules += derived.rules
            gaps += derived.gaps
        }
        self.gaps = gaps
        docs.append([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": labels], "rules": .array(Self.merged(rules)),
        ])
        docs.append([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": ["name": .string(name), "labels": labels],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(options.namespace)]],
        ])
        if options.leaderElection {
            // The Lease lives in the operator's own namespace: a Role there is enough.
            docs.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": ["name": .string(name + "-leader-election"), "namespace": .string(options.namespace), "labels": labels],
                "rules": [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]]],
            ])
            docs.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": ["name": .string(name + "-leader-election"), "namespace": .string(options.namespace), "labels": labels],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(name + "-leader-election")],
                "subjects": [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(options.namespace)]],
            ])
        }
        // The whole command line, so it does not depend on the image's ENTRYPOINT/CMD:
        // `command` replaces ENTRYPOINT, `args` replaces CMD. The path is where the
        // Dockerfile puts the binary (its ENTRYPOINT); scripts/check-image-root runs this
        // command line in the image's root, and DeploymentCommandTests compares the two.
        let command: [JSON] = [.string(Self.binaryPath)]
        var args: [JSON] = ["run", .string(Self.operatorPath), "--health-addr=:8081", "--metrics-addr=:8080", "--log-format=json"]
        if options.leaderElection { args += ["--leader-elect", .string("--leader-elect-namespace=\(options.namespace)")] }
        let probe: (String) -> JSON = { path in
            ["httpGet": ["path": .string(path), "port": "health"], "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3]
        }
        docs.append([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(options.namespace), "labels": labels],
            "spec": [
                "replicas": .int(options.leaderElection ? options.replicas : 1),
                // Without leader election two replicas would both handle objects.
                "strategy": options.leaderElection ? ["type": "RollingUpdate"] : ["type": "Recreate"],
                "selector": ["matchLabels": ["app.kubernetes.io/name": .string(name)]],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "serviceAccountName": .string(name),
                        "securityContext": ["runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "seccompProfile": ["type": "RuntimeDefault"]],
                        "terminationGracePeriodSeconds": 30,
                        "containers": [[
                            "name": "operator", "image": .string(options.image),
                            "command": .array(command), "args": .array(args),
                            "ports": [
                                ["name": "metrics", "containerPort": 8080, "protocol": "TCP"],
                                ["name": "health", "containerPort": 8081, "protocol": "TCP"],
                            ],
                            "livenessProbe": probe("/healthz"), "readinessProbe": probe("/readyz"),
                            "resources": ["requests": ["cpu": "50m", "memory": "32Mi"], "limits": ["memory": "128Mi"]],
                            "securityContext": [
                                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                                "capabilities": ["drop": ["ALL"]],
                            ],
                            "env": [["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
                        ]],
                    ],
                ],
            ],
        ])
        documents = docs
    }

    /// Rules on the same group and resource merged into one.
    static func merged(_ rules: [JSON]) -> [JSON] {
        var order: [String] = []
        var byKey: [String: (JSON, Set<String>)] = [:]
        var passthrough: [JSON] = []
        for r in rules {
            guard r["resourceNames"] == nil, let g = r["apiGroups"]?.array, g.count == 1, let res = r["resources"]?.array, res.count == 1 else {
                passthrough.append(r)
                continue
            }
            let key = "\(g[0].string ?? "")|\(res[0].string ?? "")"
            let verbs = Set((r["verbs"]?.array ?? []).compactMap(\.string))
            if let existing = byKey[key] { byKey[key] = (existing.0, existing.1.union(verbs)) } else { order.append(key); byKey[key] = (r, verbs) }
        }
        return order.map { k in
            var r = byKey[k]!.0
            r["verbs"] = .array(byKey[k]!.1.sorted().map { .string($0) })
            return r
        } + passthrough
    }

    static func name(_ names: [String]) -> String {
        var n = String(names.joined(separator: "-").lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(63))
        while n.hasSuffix("-") { n.removeLast() }
        return n.isEmpty ? "yopf-operator" : n
    }
}
