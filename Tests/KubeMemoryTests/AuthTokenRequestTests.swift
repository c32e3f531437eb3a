import JSONValue
import Kube
import Foundation
import Synchronization
import Testing
@testable import KubeMemory

/// The TokenRequest API and what its tokens authenticate as.
@Suite struct AuthTokenRequestTests {
    func clusterWithAccount() async throws -> MemoryCluster {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.serviceAccounts, namespace: "a", body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "bot"]])
        return c
    }

    let request: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 600]]

    @Test func aTokenAuthenticatesAsTheServiceAccount() async throws {
        let c = try await clusterWithAccount()
        c.setAuthenticationClock { 1_000_000 }
        let answer = try c.requestToken(namespace: "a", serviceAccount: "bot", request: request)
        #expect(answer["kind"]?.string == "TokenRequest")
        #expect(answer["spec"]?["audiences"] == ["https://kubernetes.default.svc.cluster.local"])
        #expect(answer["spec"]?["expirationSeconds"]?.int == 600)
        #expect(answer["status"]?["expirationTimestamp"]?.string == "1970-01-12T13:56:40Z")
        let token = try #require(answer["status"]?["token"]?.string)
        let who = try c.authenticate(token: token)
        #expect(who.user == "system:serviceaccount:a:bot")
        #expect(who.groups == ["system:serviceaccounts", "system:serviceaccounts:a", "system:authenticated"])
        // Each request gets its own token.
        let second = try c.requestToken(namespace: "a", serviceAccount: "bot", request: request)
        #expect(second["status"]?["token"]?.string != token)
    }

    @Test func aTokenIsAJWTWithKubesClaims() async throws {
        let c = try await clusterWithAccount()
        c.setAuthenticationClock { 1_000_000 }
        let token = try #require(try c.requestToken(namespace: "a", serviceAccount: "bot", request: request)["status"]?["token"]?.string)
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try JSON.parse(Array(try #require(Data(base64Encoded: payload))))
        #expect(claims["sub"] == "system:serviceaccount:a:bot")
        #expect(claims["aud"] == ["https://kubernetes.default.svc.cluster.local"])
        #expect(claims["exp"] == 1_000_600)
        #expect(claims["iat"] == 1_000_000)
        #expect(claims["kubernetes.io"]?["namespace"] == "a")
        #expect(claims["kubernetes.io"]?["serviceaccount"]?["name"] == "bot")
    }

    @Test func expiredTokensAreUnauthorized() async throws {
        let c = try await clusterWithAccount()
        let now = Mutex(1_000_000)
        c.setAuthenticationClock { now.withLock { $0 } }
        let token = try #require(try c.requestToken(namespace: "a", serviceAccount: "bot", request: request)["status"]?["token"]?.string)
        now.withLock { $0 += 599 }
        #expect(try c.authenticate(token: token).user == "system:serviceaccount:a:bot")
        now.withLock { $0 += 1 }
        let failure = syncKubeError { _ = try c.authenticate(token: token) }
        #expect(failure?.code == 401)
        #expect(failure?.reason == "Unauthorized")
    }

    @Test func theDefaultLifetimeIsAnHour() async throws {
        let c = try await clusterWithAccount()
        c.setAuthenticationClock { 0 }
        let answer = try c.requestToken(namespace: "a", serviceAccount: "bot", request: ["spec": [:]])
        #expect(answer["spec"]?["expirationSeconds"]?.int == 3600)
        #expect(answer["status"]?["expirationTimestamp"]?.string == "1970-01-01T01:00:00Z")
    }

    @Test func tokensForAnotherAudienceDoNotAuthenticateToTheAPIServer() async throws {
        let c = try await clusterWithAccount()
        let vault = try c.requestToken(namespace: "a", serviceAccount: "bot", request: ["spec": ["audiences": ["vault"]]])
        #expect(vault["spec"]?["audiences"] == ["vault"])
        let token = try #require(vault["status"]?["token"]?.string)
        #expect(throws: KubeError.unauthorized()) { try c.authenticate(token: token) }
        let both = try c.requestToken(namespace: "a", serviceAccount: "bot",
                                      request: ["spec": ["audiences": ["vault", "https://kubernetes.default.svc.cluster.local"]]])
        #expect(try c.authenticate(token: try #require(both["status"]?["token"]?.string)).user == "system:serviceaccount:a:bot")
    }

    @Test func anUnknownServiceAccountIsNotFound() async throws {
        let c = try await clusterWithAccount()
        let failure = syncKubeError { _ = try c.requestToken(namespace: "a", serviceAccount: "ghost", request: request) }
        #expect(failure?.code == 404)
        #expect(failure?.message == #"serviceaccounts "ghost" not found"#)
    }

    @Test func tooShortALifetimeIsInvalid() async throws {
        let c = try await clusterWithAccount()
        let failure = syncKubeError { _ = try c.requestToken(namespace: "a", serviceAccount: "bot", request: ["spec": ["expirationSeconds": 60]]) }
        #expect(failure?.code == 422)
        #expect(failure?.message.contains("may not specify a duration less than 10 minutes") == true)
    }

    @Test func unknownTokensAndTokensOfADeletedAccountAreUnauthorized() async throws {
        let c = try await clusterWithAccount()
        #expect(throws: KubeError.unauthorized()) { try c.authenticate(token: "made-up") }
        let token = try #require(try c.requestToken(namespace: "a", serviceAccount: "bot", request: request)["status"]?["token"]?.string)
        _ = try await c.delete(ObjectRef(RBAC.serviceAccounts, namespace: "a", name: "bot"))
        _ = try await c.create(RBAC.serviceAccounts, namespace: "a", body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "bot"]])
        #expect(throws: KubeError.unauthorized()) { try c.authenticate(token: token) }
    }

    @Test func requestingATokenNeedsCreateOnServiceaccountsToken() async throws {
        let c = try await clusterWithAccount()
        let operatorAccount = RequestContext.serviceAccount(namespace: "a", name: "operator")
        let failure = syncKubeError { _ = try c.requestToken(namespace: "a", serviceAccount: "bot", request: request, context: operatorAccount) }
        #expect(failure?.message == #"serviceaccounts "bot" is forbidden: User "system:serviceaccount:a:operator" cannot create resource "serviceaccounts/token" in API group "" in the namespace "a""#)
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("tokens", namespace: "a", rules: [
            ["apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("tokens", namespace: "a", roleKind: "Role", role: "tokens", subjects: [RBAC.sa("operator", "a")]))
        _ = try c.requestToken(namespace: "a", serviceAccount: "bot", request: request, context: operatorAccount)
    }
}

/// SelfSubjectAccessReview and SubjectAccessReview.
@Suite struct AuthAccessReviewTests {
    @Test func selfReviewAnswersForTheCaller() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("cm", namespace: "a", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]]]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("cm", namespace: "a", roleKind: "Role", role: "cm", subjects: [RBAC.sa("bot", "a")]))
        let bot = RequestContext.serviceAccount(namespace: "a", name: "bot")
        func review(_ verb: String, _ namespace: String) -> JSON {
            ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
             "spec": ["resourceAttributes": ["namespace": .string(namespace), "verb": .string(verb), "resource": "configmaps"]]]
        }
        let yes = try c.reviewAccess(review("create", "a"), context: bot)
        #expect(yes["status"]?["allowed"] == true)
        #expect(yes["status"]?["reason"]?.string == #"RBAC: allowed by RoleBinding "cm/a" of Role "cm" to ServiceAccount "bot/a""#)
        #expect(yes["spec"] == review("create", "a")["spec"])
        #expect(try c.reviewAccess(review("create", "b"), context: bot)["status"] == ["allowed": false])
        #expect(try c.reviewAccess(review("delete", "a"), context: bot)["status"]?["allowed"] == false)
        let path: JSON = ["kind": "SelfSubjectAccessReview", "spec": ["nonResourceAttributes": ["path": "/version", "verb": "get"]]]
        #expect(try c.reviewAccess(path, context: .unauthenticated)["status"]?["allowed"] == true)
    }

    @Test func subjectReviewNeedsPermissionAndAsksAboutTheNamedUser() async throws {
        let c = try await RBAC.cluster()
        let review: JSON = ["kind": "SubjectAccessReview", "spec": [
            "user": "jane", "groups": ["system:masters"], "resourceAttributes": ["verb": "delete", "resource": "nodes"]]]
        #expect(try c.reviewAccess(review, context: .admin)["status"]?["allowed"] == true)
        let failure = syncKubeError { _ = try c.reviewAccess(review, context: .serviceAccount(namespace: "a", name: "bot")) }
        #expect(failure?.message == #"subjectaccessreviews.authorization.k8s.io is forbidden: User "system:serviceaccount:a:bot" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope"#)
    }

    @Test func aReviewWithoutAttributesIsInvalid() async throws {
        let c = try await RBAC.cluster()
        let failure = syncKubeError { _ = try c.reviewAccess(["kind": "SelfSubjectAccessReview", "spec": [:]], context: .admin) }
        #expect(failure?.code == 422)
    }
}

/// The KubeError a synchronous call throws, or nil.
func syncKubeError(_ body: () throws -> Void) -> KubeError? {
    do {
        try body()
        return nil
    } catch let e as KubeError {
        return e
    } catch {
        return KubeError.internalError("unexpected error \(error)")
    }
}
