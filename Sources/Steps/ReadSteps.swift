import JSONValue
import Kube
import Spec

/// `get` and `list`: read objects into `$steps`.
enum GetStep {
    static func run(_ action: GetAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let (_, ref) = try await TargetResolution.resolve(action.target, scope, env, step: step)
        do {
            return StepOutcome(output: try await env.api.get(ref))
        } catch let e as KubeError where e.code == 404 && action.optional {
            return StepOutcome(output: .null)
        } catch let e as KubeError {
            throw StepError("\(step): cannot get \(ref): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
    }
}

enum ListStep {
    /// The kind, the namespace (nil: cluster-scoped) and the label selector, rendered.
    static func render(_ action: ListAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> (ResourceInfo, String?, String?) {
        let (info, ref) = try await TargetResolution.resolve(action.target, scope, env, step: step, needsName: false)
        var selector: String? = nil
        if let t = action.selector {
            let v = try await env.evaluator.render(t, scope)
            if let s = v.string {
                selector = s
            } else if let o = v.object {
                // {app: x} or {matchLabels: {app: x}}
                let labels = o["matchLabels"]?.object ?? o
                selector = labels.keys.sorted().compactMap { k in labels[k]?.string.map { "\(k)=\($0)" } }.joined(separator: ",")
            } else if !v.isNull {
                throw StepError("\(step): selector must render to a string or an object of labels", permanent: true)
            }
        }
        return (info, ref.namespace, selector)
    }

    static func run(_ action: ListAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let (info, namespace, selector) = try await render(action, scope, env, step: step)
        do {
            var items: [JSON] = []
            var token: String? = nil
            repeat {
                let page = try await env.api.list(info.gvr, namespace: namespace, options: ListOptions(labelSelector: selector, limit: 500, continueToken: token))
                items += (page["items"]?.array ?? []).map { item in
                    var o = item
                    if o["kind"] == nil { o["kind"] = .string(info.kind); o["apiVersion"] = .string(info.gvr.apiVersion) }
                    return o
                }
                token = page["metadata"]?["continue"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
            return StepOutcome(output: ["items": .array(items)])
        } catch let e as KubeError {
            throw StepError("\(step): cannot list \(info.kind): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
        }
    }
}
