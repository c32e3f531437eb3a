import JSONValue
import Kube

/// `kubectl auth can-i`: SelfSubjectAccessReview and SubjectAccessReview
/// (`authorization.k8s.io/v1`), answered by the same authorizer that checks requests.
extension MemoryCluster {
    static let subjectAccessReviews = GroupVersionResource(group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews")

    /// Takes a review object and answers it with `status.allowed` (and `status.reason` when
    /// the authorizer gives one). A SelfSubjectAccessReview asks about `context`; a
    /// SubjectAccessReview asks about `spec.user` and `spec.groups` and needs `create` on
    /// `subjectaccessreviews`. A context without a user (in-process callers) is allowed
    /// everything, as it is on every other call.
    public func reviewAccess(_ review: JSON, context: RequestContext) throws(KubeError) -> JSON {
        let kind = review["kind"]?.string ?? "SelfSubjectAccessReview"
        let spec = review["spec"] ?? [:]
        let subject: RequestContext
        switch kind {
        case "SelfSubjectAccessReview":
            subject = context
        case "SubjectAccessReview":
            try checkCall("create", MemoryCluster.subjectAccessReviews, nil, nil, nil, context)
            let groups = (spec["groups"]?.array ?? []).compactMap(\.string)
            let user = spec["user"]?.string ?? ""
            guard !user.isEmpty || !groups.isEmpty else {
                throw .invalid(ObjectRef(MemoryCluster.subjectAccessReviews, namespace: nil, name: ""), kind: kind,
                               causes: [("spec.user", "Invalid value: \"\": at least one of user or group must be specified", "FieldValueInvalid")])
            }
            subject = RequestContext(user: user, groups: groups)
        default:
            throw .badRequest("an access review must be a SelfSubjectAccessReview or SubjectAccessReview of authorization.k8s.io/v1, got kind \(kind)")
        }
        let attributes = try MemoryCluster.reviewAttributes(spec, kind: kind)
        let decision = subject.user == nil ? AuthorizationDecision(allowed: true) : authorize(attributes, as: subject)
        var answer = review
        answer["kind"] = .string(kind)
        answer["apiVersion"] = "authorization.k8s.io/v1"
        if answer["metadata"] == nil { answer["metadata"] = [:] }
        var status: JSON = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        answer["status"] = status
        return answer
    }

    /// `kubectl auth can-i --list`: a SelfSubjectRulesReview (`spec.namespace`) answered
    /// with the caller's resource and non-resource rules there.
    public func reviewRules(_ review: JSON, context: RequestContext) -> JSON {
        let namespace = review["spec"]?["namespace"]?.string ?? ""
        var rules: [PolicyRule]
        switch (authorizationMode, context.user) {
        case (.alwaysAllow, _), (_, nil):
            rules = RBACAuthorizer().rules(for: .admin, namespace: namespace)
        case (.rbac, _) where context.isSuperuser:
            rules = RBACAuthorizer().rules(for: context, namespace: namespace)
        case (.rbac, _):
            rules = PublicPolicy.rules + rbacAuthorizer().rules(for: context, namespace: namespace)
        }
        func strings(_ a: [String]) -> JSON { .array(a.map { .string($0) }) }
        var resourceRules: [JSON] = [], nonResourceRules: [JSON] = []
        for r in rules {
            if !r.nonResourceURLs.isEmpty {
                nonResourceRules.append(["verbs": strings(r.verbs), "nonResourceURLs": strings(r.nonResourceURLs)])
            }
            if !r.resources.isEmpty {
                var rule: JSON = ["verbs": strings(r.verbs), "apiGroups": strings(r.apiGroups), "resources": strings(r.resources)]
                if !r.resourceNames.isEmpty { rule["resourceNames"] = strings(r.resourceNames) }
                resourceRules.append(rule)
            }
        }
        var answer = review
        answer["kind"] = "SelfSubjectRulesReview"
        answer["apiVersion"] = "authorization.k8s.io/v1"
        if answer["metadata"] == nil { answer["metadata"] = [:] }
        answer["status"] = ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": false]
        return answer
    }

    static func reviewAttributes(_ spec: JSON, kind: String) throws(KubeError) -> RequestAttributes {
        let resource = spec["resourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        func s(_ v: JSON?, _ key: String) -> String { v?[key]?.string ?? "" }
        switch (resource, nonResource) {
        case (let r?, nil):
            var a = RequestAttributes(verb: s(r, "verb"), group: s(r, "group"), version: s(r, "version"), resource: s(r, "resource"))
            a.subresource = s(r, "subresource")
            a.namespace = s(r, "namespace")
            a.name = s(r, "name")
            return a
        case (nil, let n?):
            return RequestAttributes(nonResourcePath: s(n, "path"), verb: s(n, "verb"))
        default:
            throw .invalid(ObjectRef(subjectAccessReviews, namespace: nil, name: ""), kind: kind,
                           causes: [("spec.resourceAttributes", "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified", "FieldValueInvalid")])
        }
    }
}
