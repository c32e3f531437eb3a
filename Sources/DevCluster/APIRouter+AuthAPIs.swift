import JSONValue
import Kube
import KubeMemory

/// The authentication and authorization APIs the router answers itself (they store
/// nothing): TokenRequest (`POST …/serviceaccounts/NAME/token`); SelfSubjectAccessReview,
/// SubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i [--list]`);
/// SelfSubjectReview (`kubectl auth whoami`). Only a `MemoryCluster` backend issues
/// tokens and answers reviews.
extension APIRouter {
    /// Authenticates and authorizes the request, then answers it when it is one of the APIs
    /// above; nil means: route it as usual.
    func admitAndServeAuthAPIs(_ r: APIRequest, path: String) async throws -> APIResponse? {
        let user = try RequestGate(backend: backend, token: token).admit(r, path: path)
        guard let cluster = backend as? MemoryCluster, let p = ResourcePath(path: path), p.version == "v1" else { return nil }
        if p.group == "rbac.authorization.k8s.io" { try checkNoEscalation(r, p, user, cluster) }
        switch (p.group, p.resource, p.subresource) {
        case ("", "serviceaccounts", "token"?):
            guard let namespace = p.namespace, let name = p.name else { return nil }
            try requirePost(r)
            let body = try AuthProtobufBodies.object(r)
            return .json(try cluster.requestToken(namespace: namespace, serviceAccount: name, request: body, context: user), status: 201)
        case ("authorization.k8s.io", "selfsubjectaccessreviews", nil), ("authorization.k8s.io", "subjectaccessreviews", nil):
            guard p.name == nil, p.namespace == nil else { return nil }
            try requirePost(r)
            var review = try AuthProtobufBodies.object(r)
            let expected = p.resource == "selfsubjectaccessreviews" ? "SelfSubjectAccessReview" : "SubjectAccessReview"
            if review["kind"] == nil { review["kind"] = .string(expected) }
            guard review["kind"]?.string == expected else {
                throw KubeError.badRequest("the body must be an authorization.k8s.io/v1 \(expected), got kind \(review["kind"]?.string ?? "")")
            }
            return .json(try cluster.reviewAccess(review, context: user), status: 201)
        case ("authorization.k8s.io", "selfsubjectrulesreviews", nil):
            guard p.name == nil, p.namespace == nil else { return nil }
            try requirePost(r)
            return .json(cluster.reviewRules(try AuthProtobufBodies.object(r), context: user), status: 201)
        case ("authentication.k8s.io", "selfsubjectreviews", nil):
            guard p.name == nil, p.namespace == nil else { return nil }
            try requirePost(r)
            var userInfo: JSON = ["username": .string(user.user ?? "")]
            if !user.groups.isEmpty { userInfo["groups"] = .array(user.groups.map { .string($0) }) }
            return .json([
                "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                "metadata": ["creationTimestamp": .null], "status": ["userInfo": userInfo],
            ], status: 201)
        default:
            return nil
        }
    }

    /// Writes of Roles, ClusterRoles and bindings may not grant more than the caller holds
    /// (see `MemoryCluster.checkNoEscalation`); checked on the object as it would be stored.
    /// A body that cannot be read or a patch that cannot apply is left to the write itself.
    private func checkNoEscalation(_ r: APIRequest, _ p: ResourcePath, _ user: RequestContext, _ cluster: MemoryCluster) throws(KubeError) {
        guard cluster.authorizationMode == .rbac, user.user != nil, !user.isSuperuser, p.subresource == nil else { return }
        let gvr = GroupVersionResource(group: p.group, version: p.version, resource: p.resource)
        let object: JSON?
        switch r.method {
        case "POST", "PUT":
            object = try? BodyDecoder.object(r)
        case "PATCH":
            guard let name = p.name, let (type, body) = try? BodyDecoder.patch(r), let options = try? RequestOptions.write(r) else { return }
            object = try? cluster.dryRunPatch(ObjectRef(gvr, namespace: p.namespace, name: name), type: type, body: body, options: options)
        default:
            return
        }
        guard let object else { return }
        try cluster.checkNoEscalation(object, gvr: gvr, namespace: p.namespace, as: user)
    }

    private func requirePost(_ r: APIRequest) throws(KubeError) {
        guard r.method == "POST" else {
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }
}
