import JSONValue
import Kube
import Spec
import Steps

/// The API a handler's steps use: the operator's own, or — when the handler (or the
/// operator) names a `serviceAccount:` — that ServiceAccount's, so that Kubernetes RBAC
/// bounds what a resource can make the operator do. The name must be of the resource's
/// own namespace; anything else is refused before any API call.
enum HandlerCredentials {
    static func api(for handler: HandlerSpec, operator spec: OperatorSpec, object: JSON, scope: Scope,
                    base: any KubeAPI, evaluator: Evaluator) async throws -> any KubeAPI {
        guard let expression = handler.serviceAccount ?? spec.serviceAccount else { return base }
        let value = try await evaluator.value(expression, scope)
        let ownNamespace = object["metadata"]?["namespace"]?.string
        var name: String
        var namespace = ownNamespace
        switch value {
        case .null:
            return base  // the resource names none: the operator's own credentials
        case .string(let s):
            name = s
        case .object(let o):
            name = o["name"]?.string ?? ""
            if let ns = o["namespace"]?.string { namespace = ns }
        default:
            throw StepError("serviceAccount must be a name or {name, namespace}, got \(value.typeName)", permanent: true)
        }
        // `ns:name` and `system:serviceaccount:ns:name` forms name a namespace too.
        let parts = name.split(separator: ":").map(String.init)
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" { namespace = parts[2]; name = parts[3] }
        if parts.count == 2 { namespace = parts[0]; name = parts[1] }
        guard let own = ownNamespace else {
            throw StepError("serviceAccount: the resource is cluster-scoped, so it has no namespace whose ServiceAccount could act for it", permanent: true)
        }
        guard namespace == own else {
            throw StepError("serviceAccount \(namespace ?? "")/\(name) is refused: it must be in the resource's own namespace \(own)", permanent: true)
        }
        guard !name.isEmpty else { throw StepError("serviceAccount: empty name", permanent: true) }
        guard let scoping = base as? any ServiceAccountScoping else {
            throw StepError("serviceAccount: this API client cannot act as a ServiceAccount", permanent: true)
        }
        do {
            return try await scoping.asServiceAccount(name, namespace: own)
        } catch let e as KubeError {
            // 404 (no such ServiceAccount yet) and 403 (the operator may not create its
            // tokens yet) can be fixed without touching the resource: retried.
            throw ErrorPolicy.stepError("serviceAccount \(own)/\(name)", e)
        }
    }
}
