import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// Authentication and RBAC through the HTTP router: what kubectl and yopf's client see.
@Suite struct AuthRouterTests {
    static let admin = "admin-token"

    /// A cluster with RBAC on, ServiceAccount default/bot and a token for it.
    func setUp() async throws -> (APIRouter, MemoryCluster, String) {
        let cluster = MemoryCluster(configuration: .init(authorization: .rbac))
        _ = try await cluster.create(GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts"), namespace: "default",
                                     body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "bot"]])
        let router = Fixtures.router(cluster, token: Self.admin)
        let answer = await router.handle(req(Self.admin, "POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
                                            body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 600]]))
        #expect(answer.status == 201)
        let token = try #require(answer.json["status"]?["token"]?.string)
        return (router, cluster, token)
    }

    func req(_ token: String?, _ method: String, _ uri: String, body: JSON? = nil) -> APIRequest {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if body != nil { headers["Content-Type"] = "application/json" }
        return APIRequest(method: method, uri: uri, headers: headers, body: body.map { $0.serializedBytes() } ?? [])
    }

    func grantConfigMaps(_ router: APIRouter, verbs: [String]) async {
        let role = await router.handle(req(Self.admin, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "cm"],
            "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": .array(verbs.map { .string($0) })]],
        ]))
        #expect(role.status == 201)
        let binding = await router.handle(req(Self.admin, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", body: [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "cm"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm"],
            "subjects": [["kind": "ServiceAccount", "name": "bot", "namespace": "default"]],
        ]))
        #expect(binding.status == 201)
    }

    @Test func eachMethodNeedsItsVerb() async throws {
        let (router, _, token) = try await setUp()
        let cms = "/api/v1/namespaces/default/configmaps"
        let cases: [(APIRequest, String)] = [
            (req(token, "GET", cms), "list"),
            (req(token, "GET", cms + "?watch=1"), "watch"),
            (req(token, "GET", cms + "/x"), "get"),
            (req(token, "POST", cms, body: Fixtures.configMap("x")), "create"),
            (req(token, "PUT", cms + "/x", body: Fixtures.configMap("x")), "update"),
            (APIRequest(method: "PATCH", uri: cms + "/x", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/merge-patch+json"], body: Array("{}".utf8)), "patch"),
            (req(token, "DELETE", cms + "/x"), "delete"),
            (req(token, "DELETE", cms), "deletecollection"),
        ]
        for (request, verb) in cases {
            let r = await router.handle(request)
            #expect(r.status == 403, "\(request.method) \(request.path)")
            #expect(r.json["message"]?.string?.contains("User \"system:serviceaccount:default:bot\" cannot \(verb) resource \"configmaps\" in API group \"\" in the namespace \"default\"") == true, "\(r.json)")
        }
        await grantConfigMaps(router, verbs: ["create", "get", "list"])
        #expect(await router.handle(req(token, "POST", cms, body: Fixtures.configMap("x"))).status == 201)
        #expect(await router.handle(req(token, "GET", cms + "/x")).status == 200)
        #expect(await router.handle(req(token, "GET", cms)).status == 200)
        #expect(await router.handle(req(token, "DELETE", cms + "/x")).status == 403)
    }

    @Test func forbiddenIsAStatusLikeKubeApiserversOwn() async throws {
        let (router, _, token) = try await setUp()
        let r = await router.handle(req(token, "GET", "/apis/apps/v1/namespaces/default/deployments/web/scale"))
        #expect(r.status == 403)
        #expect(r.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"deployments.apps "web" is forbidden: User "system:serviceaccount:default:bot" cannot get resource "deployments/scale" in API group "apps" in the namespace "default""#,
            "reason": "Forbidden", "code": 403, "details": ["kind": "deployments", "group": "apps", "name": "web"],
        ])
        let cluster = await router.handle(req(token, "GET", "/api/v1/namespaces"))
        #expect(cluster.json["message"]?.string == #"namespaces is forbidden: User "system:serviceaccount:default:bot" cannot list resource "namespaces" in API group "" at the cluster scope"#)
        let exec = await router.handle(req(token, "GET", "/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=1"))
        #expect(exec.json["message"]?.string == #"pods "p" is forbidden: User "system:serviceaccount:default:bot" cannot create resource "pods/exec" in API group "" in the namespace "default""#)
    }

    @Test func credentials() async throws {
        let (router, _, token) = try await setUp()
        #expect(await router.handle(req("made-up", "GET", "/api/v1/namespaces/default/configmaps")).status == 401)
        #expect(await router.handle(req("made-up", "GET", "/version")).status == 401)
        // No credentials: system:anonymous, who may use discovery and version only.
        #expect(await router.handle(req(nil, "GET", "/version")).status == 200)
        #expect(await router.handle(req(nil, "GET", "/apis")).status == 200)
        #expect(await router.handle(req(nil, "GET", "/api/v1")).status == 200)
        #expect(await router.handle(req(nil, "GET", "/openapi/v3")).status == 200)
        let anonymous = await router.handle(req(nil, "GET", "/api/v1/namespaces/default/configmaps"))
        #expect(anonymous.json["message"]?.string == #"configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" in the namespace "default""#)
        // The admin token may do everything, the ServiceAccount's only discovery so far.
        #expect(await router.handle(req(Self.admin, "GET", "/api/v1/namespaces/default/configmaps")).status == 200)
        #expect(await router.handle(req(token, "GET", "/apis/apps/v1")).status == 200)
        let whoami = await router.handle(req(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                             body: ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"]))
        #expect(whoami.status == 201)
        #expect(whoami.json["status"]?["userInfo"] == [
            "username": "system:serviceaccount:default:bot", "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
        ])
    }

    @Test func withoutRBACRequestsWithoutCredentialsAreTheAdministrator() async throws {
        let router = Fixtures.router(MemoryCluster(), token: Self.admin)
        #expect(await router.handle(req(nil, "DELETE", "/api/v1/namespaces/default/configmaps")).status == 200)
        let whoami = await router.handle(req(nil, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: ["kind": "SelfSubjectReview"]))
        #expect(whoami.json["status"]?["userInfo"]?["username"] == "admin")
        #expect(await router.handle(req("made-up", "GET", "/version")).status == 401)
    }

    @Test func tokenRequestsOverHTTP() async throws {
        let (router, _, _) = try await setUp()
        let ghost = await router.handle(req(Self.admin, "POST", "/api/v1/namespaces/default/serviceaccounts/ghost/token", body: ["spec": [:]]))
        #expect(ghost.status == 404)
        #expect(ghost.json["message"] == #"serviceaccounts "ghost" not found"#)
        let get = await router.handle(req(Self.admin, "GET", "/api/v1/namespaces/default/serviceaccounts/bot/token"))
        #expect(get.status == 405)
        // kubectl create token bot --audience vault --duration 20m (protobuf)
        let spec = Proto.string(1, "vault") + Proto.string(1, "https://kubernetes.default.svc.cluster.local") + Proto.varint(4, 1200)
        let body = Proto.envelope("authentication.k8s.io/v1", "TokenRequest", Proto.message(1, []) + Proto.message(2, spec))
        let r = await router.handle(APIRequest(method: "POST", uri: "/api/v1/namespaces/default/serviceaccounts/bot/token",
                                               headers: ["Authorization": "Bearer \(Self.admin)", "Content-Type": "application/vnd.kubernetes.protobuf"], body: body))
        #expect(r.status == 201)
        #expect(r.json["spec"]?["audiences"] == ["vault", "https://kubernetes.default.svc.cluster.local"])
        #expect(r.json["spec"]?["expirationSeconds"] == 1200)
        let token = try #require(r.json["status"]?["token"]?.string)
        #expect(await router.handle(req(token, "GET", "/version")).status == 200)
    }

    @Test func canIAnswersFromProtobufAndJSON() async throws {
        let (router, _, token) = try await setUp()
        await grantConfigMaps(router, verbs: ["create"])
        // kubectl auth can-i create configmaps (protobuf)
        func canI(_ verb: String, namespace: String) -> [UInt8] {
            let attributes = Proto.string(1, namespace) + Proto.string(2, verb) + Proto.string(5, "configmaps")
            return Proto.envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", Proto.message(1, []) + Proto.message(2, Proto.message(1, attributes)))
        }
        func ask(_ body: [UInt8]) async -> APIResponse {
            await router.handle(APIRequest(method: "POST", uri: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                           headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/vnd.kubernetes.protobuf"], body: body))
        }
        let yes = await ask(canI("create", namespace: "default"))
        #expect(yes.status == 201)
        #expect(yes.json["status"]?["allowed"] == true)
        #expect(yes.json["spec"]?["resourceAttributes"] == ["namespace": "default", "verb": "create", "resource": "configmaps"])
        #expect(await ask(canI("create", namespace: "kube-system")).json["status"]?["allowed"] == false)
        #expect(await ask(canI("delete", namespace: "default")).json["status"]?["allowed"] == false)
        // SubjectAccessReview: the admin asks about the ServiceAccount.
        let sar = await router.handle(req(Self.admin, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": "system:serviceaccount:default:bot", "groups": ["system:serviceaccounts"],
                     "resourceAttributes": ["namespace": "default", "verb": "create", "resource": "configmaps"]],
        ]))
        #expect(sar.status == 201)
        #expect(sar.json["status"]?["allowed"] == true)
        let notAllowed = await router.handle(req(token, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: [
            "kind": "SubjectAccessReview", "spec": ["user": "x", "resourceAttributes": ["verb": "get", "resource": "pods"]],
        ]))
        #expect(notAllowed.status == 403)
    }
}

/// Just enough protobuf writing to play kubectl 1.32's request bodies.
enum Proto {
    static func varintBytes(_ v: Int) -> [UInt8] {
        var v = UInt64(v)
        var out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }
    static func message(_ field: Int, _ bytes: [UInt8]) -> [UInt8] { varintBytes(field << 3 | 2) + varintBytes(bytes.count) + bytes }
    static func string(_ field: Int, _ s: String) -> [UInt8] { message(field, Array(s.utf8)) }
    static func varint(_ field: Int, _ v: Int) -> [UInt8] { varintBytes(field << 3) + varintBytes(v) }
    static func envelope(_ apiVersion: String, _ kind: String, _ raw: [UInt8]) -> [UInt8] {
        [0x6B, 0x38, 0x73, 0x00] + message(1, string(1, apiVersion) + string(2, kind)) + message(2, raw)
    }
}
