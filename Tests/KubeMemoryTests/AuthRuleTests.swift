import JSONValue
import Kube
import Testing
@testable import KubeMemory

/// Rule semantics of kube's RBAC authorizer, one rule at a time.
@Suite struct AuthRuleTests {
    func attrs(_ verb: String, _ resource: String, sub: String? = nil, group: String = "", ns: String? = "ns", name: String? = nil) -> RequestAttributes {
        RequestAttributes(verb: verb, group: group, version: "v1", resource: resource, subresource: sub, namespace: ns, name: name)
    }

    @Test func verbsAndGroupsMatchExactlyOrByStar() {
        let rule = PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"])
        #expect(rule.allows(attrs("get", "configmaps", name: "a")))
        #expect(rule.allows(attrs("list", "configmaps")))
        #expect(!rule.allows(attrs("create", "configmaps")))
        #expect(!rule.allows(attrs("get", "configmaps", group: "apps")))
        let any = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["configmaps"])
        #expect(any.allows(attrs("deletecollection", "configmaps", group: "whatever.io")))
        #expect(!any.allows(attrs("get", "secrets")))
    }

    @Test func aResourceDoesNotCoverItsSubresources() {
        let pods = PolicyRule(verbs: ["get", "create"], apiGroups: [""], resources: ["pods"])
        #expect(pods.allows(attrs("get", "pods", name: "p")))
        #expect(!pods.allows(attrs("get", "pods", sub: "log", name: "p")))
        #expect(!pods.allows(attrs("create", "pods", sub: "exec", name: "p")))
        let exec = PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/exec"])
        #expect(exec.allows(attrs("create", "pods", sub: "exec", name: "p")))
        #expect(!exec.allows(attrs("create", "pods", name: "p")))
        #expect(!exec.allows(attrs("create", "pods", sub: "attach", name: "p")))
    }

    @Test func starCoversResourcesAndSubresources() {
        let rule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["*"])
        #expect(rule.allows(attrs("get", "pods", name: "p")))
        #expect(rule.allows(attrs("get", "pods", sub: "log", name: "p")))
    }

    @Test func starSlashSubresourceCoversThatSubresourceOfEveryResource() {
        let rule = PolicyRule(verbs: ["patch"], apiGroups: ["*"], resources: ["*/scale"])
        #expect(rule.allows(attrs("patch", "deployments", sub: "scale", group: "apps", name: "d")))
        #expect(rule.allows(attrs("patch", "statefulsets", sub: "scale", group: "apps", name: "s")))
        #expect(!rule.allows(attrs("patch", "deployments", group: "apps", name: "d")))
        #expect(!rule.allows(attrs("patch", "deployments", sub: "status", group: "apps", name: "d")))
    }

    /// Kubernetes has no `resource/*` wildcard: it matches only a subresource named "*".
    @Test func resourceSlashStarIsNotAWildcard() {
        let rule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods/*"])
        #expect(!rule.allows(attrs("get", "pods", sub: "log", name: "p")))
        #expect(!rule.allows(attrs("get", "pods", name: "p")))
    }

    @Test func resourceNamesOnlyMatchRequestsNamingOne() {
        let rule = PolicyRule(verbs: ["get", "list", "update", "create"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"])
        #expect(rule.allows(attrs("get", "configmaps", name: "a")))
        #expect(rule.allows(attrs("update", "configmaps", name: "a")))
        #expect(!rule.allows(attrs("get", "configmaps", name: "b")))
        #expect(!rule.allows(attrs("list", "configmaps")))
    }

    @Test func nonResourceURLsMatchExactlyOrByPrefixStar() {
        let rule = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/logs/*"])
        #expect(rule.allows(RequestAttributes(nonResourcePath: "/healthz", verb: "get")))
        #expect(rule.allows(RequestAttributes(nonResourcePath: "/logs/a/b", verb: "get")))
        #expect(!rule.allows(RequestAttributes(nonResourcePath: "/healthz/ping", verb: "get")))
        #expect(!rule.allows(RequestAttributes(nonResourcePath: "/healthz", verb: "post")))
        // Resource rules never match a path, path rules never match a resource.
        #expect(!PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]).allows(RequestAttributes(nonResourcePath: "/healthz", verb: "get")))
        #expect(!PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]).allows(attrs("get", "pods", name: "p")))
    }

    @Test func rulesParseFromRoleJSON() {
        let rule = PolicyRule(json: ["verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "resourceNames": ["web"]])
        #expect(rule == PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], resourceNames: ["web"]))
        #expect(PolicyRule(json: ["verbs": "get"]).verbs.isEmpty)
    }
}
