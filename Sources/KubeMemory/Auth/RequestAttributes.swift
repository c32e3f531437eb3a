import JSONValue
import Kube

/// What a request asks to do, in the terms authorization rules speak: kube-apiserver's
/// `authorizer.Attributes` (verb, API group, resource, subresource, namespace, name; or a
/// non-resource path such as `/healthz`).
public struct RequestAttributes: Sendable, Equatable {
    /// get, list, watch, create, update, patch, delete, deletecollection (resources);
    /// the lower-cased HTTP method (non-resource paths).
    public var verb: String
    public var isResourceRequest: Bool
    public var group: String
    public var version: String
    public var resource: String
    public var subresource: String
    /// "" for cluster-scoped requests and for lists across all namespaces.
    public var namespace: String
    public var name: String
    /// The URL path of a non-resource request.
    public var path: String

    public init(verb: String, group: String = "", version: String = "", resource: String, subresource: String? = nil,
                namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        isResourceRequest = true
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource ?? ""
        self.name = name ?? ""
        // kube-apiserver: `/api/v1/namespaces/ns` is a request in the namespace ns.
        if (namespace ?? "").isEmpty, group.isEmpty, resource == "namespaces", let name, !name.isEmpty {
            self.namespace = name
        } else {
            self.namespace = namespace ?? ""
        }
        path = ""
    }

    public init(verb: String, gvr: GroupVersionResource, subresource: String?, namespace: String?, name: String?) {
        self.init(verb: verb, group: gvr.group, version: gvr.version, resource: gvr.resource, subresource: subresource,
                  namespace: namespace, name: name)
    }

    /// A request for a path outside the resource API (`/version`, `/healthz`, discovery).
    public init(nonResourcePath path: String, verb: String) {
        self.verb = verb
        isResourceRequest = false
        group = ""
        version = ""
        resource = ""
        subresource = ""
        namespace = ""
        name = ""
        self.path = path
    }

    /// `resource/subresource`, as rules name it.
    public var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The `403 Forbidden` kube-apiserver answers when `user` may not do this, worded as it
    /// words it: `configmaps is forbidden: User "u" cannot create resource "configmaps" in
    /// API group "" in the namespace "ns"`.
    public func forbidden(for user: RequestContext, reason: String = "") -> KubeError {
        let who = user.user ?? ""
        var what: String
        if !isResourceRequest {
            what = "User \(quoted(who)) cannot \(verb) path \(quoted(path))"
        } else if !namespace.isEmpty {
            what = "User \(quoted(who)) cannot \(verb) resource \(quoted(combinedResource)) in API group \(quoted(group)) in the namespace \(quoted(namespace))"
        } else {
            what = "User \(quoted(who)) cannot \(verb) resource \(quoted(combinedResource)) in API group \(quoted(group)) at the cluster scope"
        }
        if !reason.isEmpty { what += ": \(reason)" }
        guard isResourceRequest, !resource.isEmpty else {
            return KubeError(code: 403, reason: "Forbidden", message: "forbidden: \(what)", details: [:])
        }
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        let message = name.isEmpty ? "\(qualified) is forbidden: \(what)" : "\(qualified) \(quoted(name)) is forbidden: \(what)"
        var details: JSONObject = ["kind": .string(resource)]
        if !group.isEmpty { details["group"] = .string(group) }
        if !name.isEmpty { details["name"] = .string(name) }
        return KubeError(code: 403, reason: "Forbidden", message: message, details: .object(details))
    }

    /// Go's `%q` for the strings that appear here (names, paths, groups).
    private func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
