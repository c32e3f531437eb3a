import JSONValue
import Kube
import Platform
import Spec
import Steps
import YAMLLoader

/// `yopf plan --cluster`: what the cluster says about a rendered step, without changing
/// it. Writes go to the API server as dry runs (`dryRun=All`: admission, defaulting,
/// validation and server-side apply run, nothing is stored) and are shown as a diff
/// against the object as it is now; the pod a command would run in is looked up.
///
/// Each step is checked against the cluster as it is now, not as the steps before it
/// would leave it: an object an earlier step creates is "not there yet" here. Such
/// answers (404s, no Ready pod) are notes; refusals (invalid, forbidden, conflicts) are
/// problems.
struct ClusterCheck {
    let api: any KubeAPI
    let env: StepEnvironment
    /// Mask the data of Secrets before diffing (`--redact`).
    let maskSecrets: Bool

    struct Finding {
        var value: JSON
        var problems = 0
    }

    /// `kind` names the step's target in what is shown (`Deployment default/db`).
    func check(_ rendered: StepRendering.Rendered, label: String, kind: String?) async -> Finding? {
        let options = WriteOptions(fieldManager: env.fieldManager, dryRun: true)
        switch rendered {
        case .apply(let manifests, let keep):
            var items: [JSON] = []
            var problems = 0
            for m in manifests {
                let f = await write(m.ref, kind: m.info.kind, keepExisting: keep) {
                    try await api.patch(m.ref, subresource: nil, type: .apply, body: m.body,
                                        options: WriteOptions(fieldManager: env.fieldManager, force: true, dryRun: true))
                }
                items.append(f.value)
                problems += f.problems
            }
            return Finding(value: .array(items), problems: problems)
        case .create(let manifests, let keep):
            var items: [JSON] = []
            var problems = 0
            for m in manifests {
                let f = await write(m.ref, kind: m.info.kind, keepExisting: keep, existingFails: !keep) {
                    try await api.create(m.info.gvr, namespace: m.ref.namespace, body: m.body, options: options)
                }
                items.append(f.value)
                problems += f.problems
            }
            return Finding(value: .array(items), problems: problems)
        case .job(let m, _, _):
            if let existing = try? await api.get(m.ref) {
                let states = (existing["status"]?["conditions"]?.array ?? [])
                    .filter { $0["status"]?.string == "True" }.compactMap { $0["type"]?.string }
                let state = states.isEmpty ? "not finished" : states.joined(separator: ", ")
                return Finding(value: ["object": .string(describe(m.ref, kind: "Job")),
                                       "now": .string("a Job of this name exists (\(state)); the step takes it over instead of creating one, unless it is a Failed Job of this resource, which is replaced")])
            }
            return await write(m.ref, kind: "Job") {
                try await api.create(m.info.gvr, namespace: m.ref.namespace, body: m.body, options: options)
            }
        case .patch(let ref, let type, let body):
            return await write(ref, kind: kind, missingIsNote: true) {
                try await api.patch(ref, subresource: nil, type: type, body: body, options: options)
            }
        case .delete(let ref, _):
            do {
                _ = try await api.delete(ref, options: DeleteOptions(propagationPolicy: .background, dryRun: true))
                return Finding(value: ["object": .string(describe(ref, kind: kind)), "dryRun": "would delete it"])
            } catch let e as KubeError where e.code == 404 {
                return Finding(value: ["object": .string(describe(ref, kind: kind)), "now": "not there: nothing to delete"])
            } catch {
                return refused(error, into: ["object": .string(describe(ref, kind: kind))])
            }
        case .scale(let ref, _, _, let patch):
            return await write(ref, kind: kind, subresource: "scale", missingIsNote: true) {
                try await api.patch(ref, subresource: "scale", type: .merge, body: patch, options: options)
            }
        case .status(let patch):
            let ref = ObjectRef(env.ownerInfo.gvr, namespace: env.ownerNamespace, name: env.ownerName)
            return await write(ref, kind: env.ownerInfo.kind, subresource: "status", missingIsNote: true) {
                try await api.patch(ref, subresource: "status", type: .merge, body: ["status": patch], options: options)
            }
        case .exec(let command, _), .stream(let command, _, _):
            do {
                let (pod, container) = try await StepRendering.findPod(command, env: env, label: label)
                var v: JSONObject = ["pod": .string(pod)]
                v["container"] = container.map { .string($0) } ?? .null
                return Finding(value: .object(v))
            } catch {
                return Finding(value: ["now": .string("\(error)")])
            }
        case .wait(let ref, let until):
            guard case .condition(let type) = until else { return nil }
            do {
                let object = try await api.get(ref)
                let c = (object["status"]?["conditions"]?.array ?? []).first { $0["type"]?.string == type }
                let status = c?["status"]?.string ?? "not reported"
                return Finding(value: ["now": .string("condition \(type) is \(status)")])
            } catch let e as KubeError where e.code == 404 {
                return Finding(value: ["now": "not there yet"])
            } catch {
                return refused(error, into: ["object": .string(describe(ref, kind: kind))])
            }
        case .get, .list, .event, .fail, .run:
            return nil
        }
    }

    /// A dry-run write and its diff against the object as it is now.
    private func write(_ ref: ObjectRef, kind: String?, subresource: String? = nil, keepExisting: Bool = false,
                       existingFails: Bool = false, missingIsNote: Bool = false,
                       _ send: () async throws -> JSON) async -> Finding {
        var v: JSONObject = ["object": .string(describe(ref, kind: kind))]
        let before: JSON?
        do {
            before = try await api.get(ref, subresource: subresource)
        } catch let e as KubeError where e.code == 404 {
            before = nil
            if missingIsNote {
                v["now"] = "not there yet (a step before this one may create it): nothing to dry-run against"
                return Finding(value: .object(v))
            }
        } catch {
            return refused(error, into: v)
        }
        if before != nil && keepExisting {
            v["now"] = "exists: left as it is"
            return Finding(value: .object(v))
        }
        if before != nil && existingFails {
            v["now"] = "exists: the step would fail (AlreadyExists); set ifExists: keep to accept it"
            return Finding(value: .object(v), problems: 1)
        }
        let after: JSON
        do {
            after = try await send()
        } catch {
            return refused(error, into: v)
        }
        guard let before else {
            v["dryRun"] = "would create it (the API server accepted it)"
            return Finding(value: .object(v))
        }
        let text = LineDiff.unified(shown(before, subresource: subresource), shown(after, subresource: subresource))
        v["dryRun"] = text.isEmpty ? "no change" : .string(text)
        return Finding(value: .object(v))
    }

    private func refused(_ error: any Error, into base: JSONObject) -> Finding {
        var v = base
        let message = (error as? KubeError)?.message ?? "\(error)"
        v["refused"] = .string(message)
        return Finding(value: .object(v), problems: 1)
    }

    /// The YAML a diff compares: no managedFields or resourceVersion (they always change),
    /// only `status` for status writes, and Secret data masked when asked.
    private func shown(_ object: JSON, subresource: String?) -> String {
        var o = object
        o.remove(at: ["metadata", "managedFields"])
        o.remove(at: ["metadata", "resourceVersion"])
        if subresource == "status" { o = ["status": object["status"] ?? .null] }
        if maskSecrets { o = SecretMasking.masked(o) }
        return YAML.emit(o)
    }

    private func describe(_ ref: ObjectRef, kind: String?) -> String {
        let name = ref.namespace.map { "\($0)/\(ref.name)" } ?? ref.name
        return "\(kind ?? ref.gvr.resource) \(name)"
    }
}
