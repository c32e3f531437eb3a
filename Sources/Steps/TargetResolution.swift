import JSONValue
import Kube
import Spec

/// Turns a step's `ObjectTarget` into an object reference.
enum TargetResolution {
    static func resolve(_ target: ObjectTarget, _ scope: Scope, _ env: StepEnvironment, step: String, needsName: Bool = true) async throws -> (ResourceInfo, ObjectRef) {
        let info = try await env.resolver.resolve(apiVersion: target.apiVersion, kind: target.kind)
        var name = ""
        if let t = target.name {
            name = try await env.evaluator.string(t, scope, what: "\(step): name")
        }
        if needsName && name.isEmpty { throw StepError("\(step): the \(target.kind) to act on has no name", permanent: true) }
        var namespace: String? = nil
        if info.namespaced {
            if let t = target.namespace {
                namespace = try await env.evaluator.string(t, scope, what: "\(step): namespace")
            } else {
                namespace = env.ownerNamespace
            }
            if namespace == nil || namespace!.isEmpty {
                throw StepError("\(step): \(target.kind) is namespaced; name a namespace (the resource being handled is cluster-scoped)", permanent: true)
            }
        }
        return (info, ObjectRef(info.gvr, namespace: namespace, name: name))
    }

    /// The resource being handled itself.
    static func owner(_ env: StepEnvironment) -> ObjectRef {
        ObjectRef(env.ownerInfo.gvr, namespace: env.ownerNamespace, name: env.ownerName)
    }
}
