import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// SelfSubjectRulesReview: `kubectl auth can-i --list`.
@Suite struct AuthRulesReviewTests {
    @Test func listsTheRulesThatApplyInTheNamespace() async throws {
        let c = try await RBAC.cluster()
        _ = try await c.create(RBAC.roles, namespace: "a", body: RBAC.role("cm", namespace: "a", rules: [
            ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["settings"]],
        ]))
        _ = try await c.create(RBAC.clusterRoles, namespace: nil, body: RBAC.role("mixed", rules: [
            ["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]],
            ["nonResourceURLs": ["/metrics"], "verbs": ["get"]],
        ]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("cm", namespace: "a", roleKind: "Role", role: "cm", subjects: [RBAC.sa("bot", "a")]))
        _ = try await c.create(RBAC.roleBindings, namespace: "a", body: RBAC.binding("mixed", namespace: "a", roleKind: "ClusterRole", role: "mixed", subjects: [RBAC.sa("bot", "a")]))
        let bot = RequestContext.serviceAccount(namespace: "a", name: "bot")
        let answer = c.reviewRules(["kind": "SelfSubjectRulesReview", "spec": ["namespace": "a"]], context: bot)
        let resourceRules = answer["status"]?["resourceRules"]?.array ?? []
        #expect(resourceRules.contains(["verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["settings"]]))
        #expect(resourceRules.contains(["verbs": ["list"], "apiGroups": ["apps"], "resources": ["deployments"]]))
        // A ClusterRole's non-resource URLs do not come through a RoleBinding.
        let paths = (answer["status"]?["nonResourceRules"]?.array ?? []).flatMap { $0["nonResourceURLs"]?.array ?? [] }
        #expect(!paths.contains("/metrics"))
        #expect(paths.contains("/version"))
        // Elsewhere only the public rules are left.
        let elsewhere = c.reviewRules(["kind": "SelfSubjectRulesReview", "spec": ["namespace": "b"]], context: bot)
        #expect((elsewhere["status"]?["resourceRules"]?.array ?? []).allSatisfy { $0["apiGroups"] != [""] && $0["apiGroups"] != ["apps"] })
        #expect(elsewhere["status"]?["incomplete"] == false)
    }

    @Test func mastersMayDoEverything() async throws {
        let c = try await RBAC.cluster()
        let answer = c.reviewRules(["spec": ["namespace": "a"]], context: .admin)
        #expect(answer["status"]?["resourceRules"] == [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]])
        #expect(answer["status"]?["nonResourceRules"] == [["verbs": ["*"], "nonResourceURLs": ["*"]]])
    }
}
