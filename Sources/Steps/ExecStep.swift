import JSONValue
import Kube
import Spec

/// `exec`: a command (argv, never a shell line) in a container of a pod in the resource's
/// namespace, found by name or as the first Ready pod with given labels. `$steps.NAME` gets
/// `{exitCode, stdout, stderr, pod, container}` with each output trimmed to its last 16 KiB;
/// an exit code not in `expectExitCodes` fails the step with the end of stderr.
enum ExecStep {
    /// What is kept of stdout and stderr.
    static let outputCap = 16 << 10

    static func run(_ action: ExecAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let pods = try podAccess(env, step: step)
        let target = try await ExecTarget.resolve(action, scope, env, step: step)
        let result = try await target.run(pods, stdin: nil, step: step)
        let output = target.output(result)
        try target.check(result, expect: action.expectExitCodes, env: env, step: step)
        return StepOutcome(output: output)
    }

    /// The pod side of the API, or a clear error when the client in use has none.
    static func podAccess(_ env: StepEnvironment, step: String) throws -> any PodAccess {
        guard let pods = env.api as? any PodAccess else {
            throw StepError("\(step): the Kubernetes client in use cannot run commands in pods (it has no exec/log support)", permanent: true)
        }
        return pods
    }
}

/// A command of an `exec` or `stream` step, rendered, before its pod is looked up.
public struct PodCommand: Sendable, Equatable {
    public enum Pod: Sendable, Equatable {
        case name(String)
        /// A label selector, e.g. `app=db1`: the first Ready pod with these labels.
        case labels(String)
    }
    /// The resource's namespace (pods are looked up there only).
    public var namespace: String
    public var pod: Pod
    /// Nil: the pod's default container.
    public var container: String?
    public var argv: [String]
}

/// One resolved command: which pod, which container, which argv.
struct ExecTarget: Sendable {
    var namespace: String
    var pod: String
    var container: String?
    var argv: [String]

    var request: PodExecRequest { PodExecRequest(namespace: namespace, pod: pod, container: container, command: argv) }

    /// Renders the command and finds the pod (in the resource's namespace).
    static func resolve(_ action: ExecAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> ExecTarget {
        try await resolve(render(action, scope, env, step: step), env, step: step)
    }

    /// Finds the pod of a rendered command (a read: `yopf plan --cluster` uses it too).
    static func resolve(_ command: PodCommand, _ env: StepEnvironment, step: String) async throws -> ExecTarget {
        let pod = try await findPod(command.pod, namespace: command.namespace, env, step: step)
        return ExecTarget(namespace: command.namespace, pod: pod["metadata"]?["name"]?.string ?? "",
                          container: command.container ?? defaultContainer(pod), argv: command.argv)
    }

    /// The command, the pod's name or labels and the container, rendered; no API call.
    static func render(_ action: ExecAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> PodCommand {
        guard let namespace = env.ownerNamespace, !namespace.isEmpty else {
            throw StepError("\(step): pods are looked up in the resource's namespace, and the resource being handled is cluster-scoped", permanent: true)
        }
        let argv = try await renderArgv(action.command, scope, env, step: step)
        let pod = try await renderPod(action.pod, scope, env, step: step)
        var container: String? = nil
        if let t = action.container {
            container = try await env.evaluator.string(t, scope, what: "\(step): container")
            if container?.isEmpty == true { container = nil }
        }
        return PodCommand(namespace: namespace, pod: pod, container: container, argv: argv)
    }

    static func renderArgv(_ t: TemplateValue, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> [String] {
        let rendered = try await env.evaluator.render(t, scope)
        guard let list = rendered.array, !list.isEmpty else {
            throw StepError("\(step): command must render to a non-empty list of strings", permanent: true)
        }
        return try list.map { item in
            switch item {
            case .string(let s): return s
            case .int, .double, .bool: return item.serialized()
            default: throw StepError("\(step): command arguments must be strings, got \(item.typeName)", permanent: true)
            }
        }
    }

    /// The pod's name, or its labels as a selector (`app=db1,tier=x`).
    static func renderPod(_ selector: PodSelector, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> PodCommand.Pod {
        switch selector {
        case .name(let t):
            let name = try await env.evaluator.string(t, scope, what: "\(step): pod name")
            guard !name.isEmpty else { throw StepError("\(step): the pod name rendered empty", permanent: true) }
            return .name(name)
        case .labels(let t):
            let rendered = try await env.evaluator.render(t, scope)
            guard let labels = rendered.object, !labels.isEmpty else {
                throw StepError("\(step): the pod selector must render to an object of labels, got \(rendered.typeName)", permanent: true)
            }
            let text = try labels.map { key, value -> String in
                guard let v = value.string ?? (value.isNull ? nil : value.serialized()) else {
                    throw StepError("\(step): the pod selector's label \(key) rendered to null", permanent: true)
                }
                return "\(key)=\(v)"
            }.joined(separator: ",")
            return .labels(text)
        }
    }

    /// The pod by name, or the first Ready pod (oldest, then by name) with the labels.
    static func findPod(_ pod: PodCommand.Pod, namespace: String, _ env: StepEnvironment, step: String) async throws -> JSON {
        let podsGVR = GroupVersionResource(group: "", version: "v1", resource: "pods")
        switch pod {
        case .name(let name):
            do {
                return try await env.api.get(ObjectRef(podsGVR, namespace: namespace, name: name))
            } catch let e as KubeError where e.code == 404 {
                throw StepError("\(step): pod \(name) not found in namespace \(namespace)")
            }
        case .labels(let text):
            let list = try await env.api.list(podsGVR, namespace: namespace, options: ListOptions(labelSelector: text))
            let items = list["items"]?.array ?? []
            let ready = items.filter(isReady).sorted { a, b in
                let ta = a["metadata"]?["creationTimestamp"]?.string ?? "", tb = b["metadata"]?["creationTimestamp"]?.string ?? ""
                if ta != tb { return ta < tb }
                return (a["metadata"]?["name"]?.string ?? "") < (b["metadata"]?["name"]?.string ?? "")
            }
            guard let first = ready.first else {
                let count = items.isEmpty ? "no pod has them" : "\(items.count) pod\(items.count == 1 ? "" : "s") match, none is Ready"
                throw StepError("\(step): no Ready pod with labels \(text) in namespace \(namespace) (\(count))")
            }
            return first
        }
    }

    /// Running, not being deleted, and condition Ready=True.
    static func isReady(_ pod: JSON) -> Bool {
        guard pod["status"]?["phase"]?.string == "Running", pod["metadata"]?["deletionTimestamp"] == nil else { return false }
        return (pod["status"]?["conditions"]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
    }

    /// kubectl's choice: the `kubectl.kubernetes.io/default-container` annotation, else the first container.
    static func defaultContainer(_ pod: JSON) -> String? {
        if let named = pod["metadata"]?["annotations"]?["kubectl.kubernetes.io/default-container"]?.string, !named.isEmpty { return named }
        return pod["spec"]?["containers"]?[0]?["name"]?.string
    }

    /// Runs the command, turning refusals into step errors that say whether a retry can help.
    func run(_ pods: any PodAccess, stdin: PodExecInput?, step: String) async throws -> PodExecResult {
        do {
            return try await pods.exec(request, stdin: stdin, keep: ExecStep.outputCap)
        } catch let e as KubeError {
            // A wrong container name stays wrong; a pod that is not running yet may run soon.
            throw StepError("\(step): cannot exec in pod \(pod): \(e.message)", permanent: ErrorPolicy.isPermanentExec(e))
        } catch let e as PodExecError {
            throw StepError("\(step): \(e.message)")
        }
    }

    /// `$steps.NAME` of a finished command.
    func output(_ result: PodExecResult) -> JSON {
        var out: JSON = [
            "exitCode": .int(result.exitCode),
            "stdout": .string(OutputText.tail(String(decoding: result.stdout, as: UTF8.self), ExecStep.outputCap)),
            "stderr": .string(OutputText.tail(String(decoding: result.stderr, as: UTF8.self), ExecStep.outputCap)),
            "pod": .string(pod),
        ]
        if let container { out["container"] = .string(container) }
        return out
    }

    /// Fails the step on an exit code that is not expected, with the end of stderr (or of
    /// stdout when stderr is empty) so the handler's message says what went wrong.
    func check(_ result: PodExecResult, expect: [Int], env: StepEnvironment, step: String) throws {
        guard !expect.contains(result.exitCode) else { return }
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        let detail = OutputText.tail(stderr.trimmed.isEmpty ? String(decoding: result.stdout, as: UTF8.self) : stderr, 300)
        let program = argv.first ?? ""
        throw StepError(env.redact("\(step): \(program) in pod \(pod) exited with \(result.exitCode)\(detail.isEmpty ? "" : ": \(detail)")"))
    }
}

extension String {
    fileprivate var trimmed: String { OutputText.tail(self, Int.max) }
}
