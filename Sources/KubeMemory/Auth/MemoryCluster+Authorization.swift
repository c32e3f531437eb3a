import Platform
import JSONValue
import Kube

/// Authentication (TokenRequest tokens) and authorization (RBAC) on the in-memory server.
///
/// Callers whose `RequestContext` has no user are the server's own parts and in-process
/// code that predates identities (controllers, the workload simulator, tests): they are
/// never checked. Every other call is checked against the RBAC objects in the store when
/// the mode is `.rbac`. The HTTP front authenticates bearer tokens with
/// `authenticate(token:)` and checks each request with `authorize(_:as:)` before routing.
extension MemoryCluster {
    /// The audiences the API server accepts in a token, kube's default `--api-audiences`;
    /// a TokenRequest without audiences gets these.
    public static let apiAudiences = ["https://kubernetes.default.svc.cluster.local"]

    /// Off by default; `.rbac` turns checking on (it may be changed at any time) and stores
    /// the bootstrap `cluster-admin` ClusterRole and binding if they are missing.
    public var authorizationMode: AuthorizationMode {
        get { accessControl.state.withLock { $0.mode } }
        set {
            accessControl.state.withLock { $0.mode = newValue }
            if newValue == .rbac { seedBootstrapPolicy() }
        }
    }

    /// The clock (seconds since the epoch) that stamps and expires tokens; tests move it.
    public func setAuthenticationClock(_ clock: @escaping @Sendable () -> Int) {
        accessControl.state.withLock { $0.clock = clock }
    }

    // MARK: Authorization

    /// What the authorizer decides for this request by this user. With `.alwaysAllow`
    /// everything is allowed; with `.rbac`, discovery, version, OpenAPI and health paths and
    /// self access reviews are allowed to everyone, then the RBAC objects decide.
    public func authorize(_ attributes: RequestAttributes, as user: RequestContext) -> AuthorizationDecision {
        guard authorizationMode == .rbac else { return AuthorizationDecision(allowed: true) }
        if PublicPolicy.rules.contains(where: { $0.allows(attributes) }) {
            return AuthorizationDecision(allowed: true, reason: PublicPolicy.reason)
        }
        return rbacAuthorizer().authorize(attributes, as: user)
    }

    /// Throws kube-apiserver's 403 Forbidden when `user` may not do this. Callers without
    /// a user (in-process parts) are not checked.
    public func checkAccess(_ attributes: RequestAttributes, as user: RequestContext) throws(KubeError) {
        guard user.user != nil else { return }
        let decision = authorize(attributes, as: user)
        if !decision.allowed { throw attributes.forbidden(for: user, reason: decision.reason) }
    }

    /// The hook every `…, context:` call of `MemoryCluster` goes through.
    func checkCall(_ verb: String, _ gvr: GroupVersionResource, _ subresource: String?, _ namespace: String?,
                   _ name: String?, _ context: RequestContext) throws(KubeError) {
        guard context.user != nil else { return }
        try checkAccess(RequestAttributes(verb: verb, gvr: gvr, subresource: subresource, namespace: namespace, name: name), as: context)
    }

    /// The RBAC objects as they are now.
    func rbacAuthorizer() -> RBACAuthorizer {
        state.withLock { s in
            func all(_ resource: String) -> [JSON] {
                let store = s.objects[GroupResource(group: RBACAuthorizer.rbacGroup, resource: resource)] ?? [:]
                return store.keys.sorted().compactMap { store[$0] }
            }
            return RBACAuthorizer(roles: all("roles"), clusterRoles: all("clusterroles"),
                                  roleBindings: all("rolebindings"), clusterRoleBindings: all("clusterrolebindings"))
        }
    }

    // MARK: Authentication

    /// The user a bearer token issued by `requestToken` stands for. Unknown and expired
    /// tokens, tokens of a deleted (or deleted and recreated) ServiceAccount and tokens
    /// for other audiences get kube's 401 Unauthorized.
    public func authenticate(token: String) throws(KubeError) -> RequestContext {
        let found: IssuedToken? = accessControl.state.withLock { a in
            guard let t = a.tokens[token] else { return nil }
            if a.clock() >= t.expires {
                a.tokens[token] = nil
                return nil
            }
            return t
        }
        guard let found, found.audiences.contains(where: MemoryCluster.apiAudiences.contains) else { throw .unauthorized() }
        let uid = state.withLock { s in
            s.objects[GroupResource(MemoryCluster.serviceAccounts)]?[StoreKey(namespace: found.namespace, name: found.serviceAccount)]?.objectUID
        }
        guard uid == found.serviceAccountUID else { throw .unauthorized() }
        return found.context
    }

    static let serviceAccounts = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")

    /// The TokenRequest API (`POST …/serviceaccounts/NAME/token`): takes an
    /// `authentication.k8s.io/v1 TokenRequest` (`spec.audiences`, `spec.expirationSeconds`,
    /// default 3600, at least 600) and answers it with `status.token` and
    /// `status.expirationTimestamp`. The ServiceAccount must exist (404 otherwise).
    public func requestToken(namespace: String, serviceAccount name: String, request body: JSON,
                             context: RequestContext = .anonymous) throws(KubeError) -> JSON {
        try checkCall("create", MemoryCluster.serviceAccounts, "token", namespace, name, context)
        let ref = ObjectRef(MemoryCluster.serviceAccounts, namespace: namespace, name: name)
        if let kind = body["kind"]?.string, kind != "TokenRequest" {
            throw .badRequest("the body of a token request must be an authentication.k8s.io/v1 TokenRequest, got kind \(kind)")
        }
        let spec = body["spec"] ?? [:]
        var seconds = 3600
        if let given = spec["expirationSeconds"], given != .null {
            guard let n = given.int else {
                throw .invalid(ref, kind: "TokenRequest", causes: [("spec.expirationSeconds", "must be an integer number of seconds", "FieldValueInvalid")])
            }
            seconds = n
        }
        if seconds < 600 {
            throw .invalid(ref, kind: "TokenRequest", causes: [("spec.expirationSeconds", "Invalid value: \(seconds): may not specify a duration less than 10 minutes", "FieldValueInvalid")])
        }
        if seconds > 1 << 32 {
            throw .invalid(ref, kind: "TokenRequest", causes: [("spec.expirationSeconds", "Invalid value: \(seconds): may not specify a duration larger than 2^32 seconds", "FieldValueInvalid")])
        }
        var audiences = (spec["audiences"]?.array ?? []).compactMap(\.string).filter { !$0.isEmpty }
        if audiences.isEmpty { audiences = MemoryCluster.apiAudiences }
        guard let account = state.withLock({ $0.objects[GroupResource(MemoryCluster.serviceAccounts)]?[StoreKey(namespace: namespace, name: name)] }) else {
            throw .notFound(ref)
        }
        let now = accessControl.state.withLock { $0.clock() }
        let issued = IssuedToken(namespace: namespace, serviceAccount: name, serviceAccountUID: account.objectUID,
                                 audiences: audiences, expires: now + seconds)
        let token = ServiceAccountToken.make(issued, issuedAt: now, id: Identifiers.uuid())
        accessControl.state.withLock { a in
            // Drop what has expired, so a long-running dev-cluster does not accumulate tokens.
            let clockNow = a.clock()
            a.tokens = a.tokens.filter { $0.value.expires > clockNow }
            a.tokens[token] = issued
        }
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(Timestamp.format(seconds: now))],
            "spec": ["audiences": .array(audiences.map { .string($0) }), "expirationSeconds": .int(seconds), "boundObjectRef": .null],
            "status": ["token": .string(token), "expirationTimestamp": .string(Timestamp.format(seconds: now + seconds))],
        ]
    }
}

extension KubeError {
    /// kube-apiserver's answer to missing, unknown or expired credentials.
    public static func unauthorized() -> KubeError {
        KubeError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }
}

/// What every caller may do whatever the RBAC objects say: kube's bootstrap roles
/// system:discovery, system:public-info-viewer and system:basic-user (here granted to
/// unauthenticated callers too: kubectl over plain http sends no credentials, and it must
/// still find resources and ask `auth can-i`).
enum PublicPolicy {
    static let rules: [PolicyRule] = [
        PolicyRule(verbs: ["get"], nonResourceURLs: [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/openapi", "/openapi/*", "/version", "/version/",
        ]),
        PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
    ]
    static let reason = "RBAC: allowed by the built-in rules of system:discovery, system:public-info-viewer and system:basic-user"
}
