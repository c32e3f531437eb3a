import KubeMemory

extension RequestAttributes {
    /// What an HTTP request asks, as kube-apiserver's RequestInfo reads it: the verb from
    /// the method (GET of a collection is list, `watch=1` is watch, DELETE of a collection
    /// is deletecollection), the resource from the path; anything outside `/api/v1/…` and
    /// `/apis/G/V/…` is a non-resource path. Exec, attach and port-forward need `create`
    /// on the subresource whatever the method (kube authorizes WebSocket GETs so too).
    public init(http r: APIRequest, path: String) {
        guard let p = ResourcePath(path: path) else {
            self.init(nonResourcePath: path, verb: r.method.lowercased())
            return
        }
        let verb: String
        switch r.method {
        case "GET", "HEAD":
            verb = r.flag("watch") ? "watch" : (p.name == nil ? "list" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = p.name == nil ? "deletecollection" : "delete"
        default: verb = r.method.lowercased()
        }
        let connect = p.group.isEmpty && p.resource == "pods" && ["exec", "attach", "portforward"].contains(p.subresource ?? "")
        self.init(verb: connect ? "create" : verb, group: p.group, version: p.version, resource: p.resource,
                  subresource: p.subresource, namespace: p.namespace, name: p.name)
    }
}
