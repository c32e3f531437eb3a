import JSONValue
import Kube
import Spec
import Steps

/// A rendered step as a person reads it in a plan: the key is the step kind, the value
/// what it would send or run — manifests whole, commands as argv lists, targets as
/// kind, namespace and name.
enum RenderedDescription {
    /// The fields a rendered run of `step` adds to its plan entry.
    static func fields(_ rendered: StepRendering.Rendered, step: StepSpec, owner: JSON) -> JSONObject {
        var f = JSONObject()
        switch rendered {
        case .apply(let manifests, let keep):
            f["apply"] = .array(manifests.map(\.body))
            if keep { f["ifExists"] = "keep: an object that exists is left as it is; no owner reference, so it outlives the resource" }
        case .create(let manifests, let keep):
            f["create"] = .array(manifests.map(\.body))
            if keep { f["ifExists"] = "keep: an object that exists is taken as it is" }
        case .job(let manifest, let wait, let cleanup):
            f["job"] = manifest.body
            f["wait"] = wait ? "until the Job is Complete (the step fails when it Fails)" : "no: the step ends once the Job is created"
            if cleanup { f["cleanup"] = "the Job is deleted once it is Complete" }
        case .patch(let ref, let type, let body):
            var t = target(ref, step: step, owner: owner)
            t["type"] = type == .json ? "json" : "merge"
            t["patch"] = body
            f["patch"] = .object(t)
        case .delete(let ref, let wait):
            var t = target(ref, step: step, owner: owner)
            if wait { t["wait"] = "until it is gone" }
            f["delete"] = .object(t)
        case .get(let ref, let optional):
            var t = target(ref, step: step, owner: owner)
            if optional { t["optional"] = true }
            f["get"] = .object(t)
        case .list(let info, let namespace, let selector):
            var t: JSONObject = ["apiVersion": .string(info.gvr.apiVersion), "kind": .string(info.kind)]
            t["namespace"] = namespace.map { .string($0) } ?? "(all: cluster-scoped)"
            if let selector { t["selector"] = .string(selector) }
            f["list"] = .object(t)
        case .exec(let command, let expect):
            f["exec"] = .object(podCommand(command, expect: expect))
        case .stream(let command, let input, let expect):
            var c = podCommand(command, expect: expect)
            c["stdin"] = stdin(input)
            f["stream"] = .object(c)
        case .scale(let ref, let replicas, let wait, _):
            var t = target(ref, step: step, owner: owner)
            t["replicas"] = .int(replicas)
            if wait { t["wait"] = "until that many replicas are ready" }
            f["scale"] = .object(t)
        case .wait(let ref, let until):
            var t = target(ref, step: step, owner: owner)
            switch until {
            case .condition(let type): t["until"] = .string("condition \(type) is True")
            case .predicate(let e): t["until"] = .string("`\(e.source)` is true")
            }
            f["wait"] = .object(t)
        case .status(let patch):
            f["status"] = patch
        case .event(let type, let reason, let message):
            f["event"] = ["type": .string(type), "reason": .string(reason), "message": .string(message)]
        case .fail(let message, let permanent):
            f["fail"] = ["message": .string(message), "permanent": .bool(permanent)]
        case .run(let command):
            var c: JSONObject = ["command": .array(command.argv.map { .string($0) })]
            if !command.environment.isEmpty {
                var e = JSONObject()
                for k in command.environment.keys.sorted() { e[k] = .string(command.environment[k] ?? "") }
                c["env"] = .object(e)
            }
            if case .run(let action) = step.action, action.stdin != nil {
                c["stdin"] = command.stdin
            } else {
                c["stdin"] = "the JSON context: {object, new, old, diff, reason, steps, …}"
            }
            f["run"] = .object(c)
        }
        return f
    }

    /// `{apiVersion, kind, namespace, name}` of the object a step acts on.
    static func target(_ ref: ObjectRef, step: StepSpec, owner: JSON) -> JSONObject {
        var apiVersion: String? = nil
        var kind = ref.gvr.resource
        switch step.action {
        case .patch(let a) where a.target == nil:
            apiVersion = owner["apiVersion"]?.string
            kind = owner["kind"]?.string ?? kind
        default:
            if let t = ObjectTargetOf.step(step) {
                apiVersion = t.apiVersion
                kind = t.kind
            }
        }
        var o = JSONObject()
        o["apiVersion"] = .string(apiVersion ?? ref.gvr.apiVersion)
        o["kind"] = .string(kind)
        if let ns = ref.namespace { o["namespace"] = .string(ns) }
        o["name"] = .string(ref.name)
        return o
    }

    static func podCommand(_ command: PodCommand, expect: [Int]) -> JSONObject {
        var c: JSONObject = ["namespace": .string(command.namespace)]
        switch command.pod {
        case .name(let name): c["pod"] = .string(name)
        case .labels(let selector): c["pod"] = ["selector": .string(selector)]
        }
        c["container"] = command.container.map { .string($0) } ?? "(the pod's default container)"
        c["command"] = .array(command.argv.map { .string($0) })
        if expect != [0] { c["expectExitCodes"] = .array(expect.map { .int($0) }) }
        return c
    }

    static func stdin(_ input: StreamInput) -> JSON {
        switch input {
        case .value(let v): return ["value": v]
        case .secretKey(let name, let key): return ["secretKey": ["name": .string(name), "key": .string(key)]]
        case .configMapKey(let name, let key): return ["configMapKey": ["name": .string(name), "key": .string(key)]]
        case .file(let path): return ["file": .string(path)]
        case .fromExec(let command, let expect): return ["fromExec": .object(podCommand(command, expect: expect))]
        }
    }
}

/// The object target a step names, if it names one.
enum ObjectTargetOf {
    static func step(_ step: StepSpec) -> ObjectTarget? {
        switch step.action {
        case .patch(let a): return a.target
        case .delete(let a): return a.target
        case .get(let a): return a.target
        case .list(let a): return a.target
        case .scale(let a): return a.target
        case .wait(let a): return a.target
        default: return nil
        }
    }
}
