import JSONValue
import Logging
import Kube
import Platform
import Spec

/// `job`: creates a Job from a template, owned by the resource, and by default waits until
/// it is Complete (the step succeeds) or Failed (the step fails with the failed pod's
/// termination message and the end of its log).
///
/// The Job's name, when the template gives none, is the same every time the same handler
/// step runs for the same resource: `<resource>-<step>-<hash of uid, handler, step>`. A
/// handler resumed after a restart therefore finds the Job it created instead of making a
/// second one; a Job of ours that already Failed is replaced, so that a retry is a new
/// attempt. (The generation is left out on purpose: without a status subresource every
/// progress write bumps it.) A handler that runs again later (update, timer) finds the
/// finished Job of its last run and takes its result, unless the step has `cleanup: true` or
/// the template names the Job itself (e.g. with `${{ .metadata.generation }}`).
enum JobStep {
    static let pollInterval: Duration = .milliseconds(500)
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    /// Annotation that records which handler step made a Job.
    static let createdByAnnotation = "yopf.dev/created-by"
    /// Lines of the failed pod's log put into the error.
    static let logTailLines = 20

    static func run(_ action: JobAction, _ scope: Scope, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        let prepared = try await render(action, scope, env, step: step)
        let link = prepared.link
        let (job, created) = try await createOrAdopt(prepared, env, step: step, deadline: deadline)
        var output = Ownership.reference(job, link: link)
        output["created"] = .bool(created)
        guard action.wait else {
            output["status"] = "Created"
            return StepOutcome(output: output, children: [ChildRef(job, link: link)])
        }
        let finished = try await waitFinished(prepared.ref, env, step: step, deadline: deadline)
        output["succeeded"] = .int(finished["status"]?["succeeded"]?.int ?? 0)
        output["failed"] = .int(finished["status"]?["failed"]?.int ?? 0)
        if condition(finished, "Complete") != nil {
            output["status"] = "Complete"
            if action.cleanup {
                do {
                    _ = try await env.api.delete(prepared.ref, options: DeleteOptions(propagationPolicy: .background))
                    output["deleted"] = true
                } catch let e as KubeError where e.code == 404 {
                    output["deleted"] = true
                }
            }
            return StepOutcome(output: output, children: [ChildRef(job, link: link)])
        }
        throw StepError(env.redact(await failureMessage(finished, prepared.ref, env, step: step)))
    }

    /// The Job as it would be created: its template rendered, its deterministic name when the
    /// template gives none, its namespace, its tie to the resource and the `created-by`
    /// annotation (`yopf plan` shows this).
    static func render(_ action: JobAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> PreparedManifest {
        var manifest = try await env.evaluator.render(action.manifest, scope)
        guard case .object = manifest else {
            throw StepError("\(step): the Job template must render to one object, got \(manifest.typeName)", permanent: true)
        }
        guard manifest["kind"]?.string == "Job", (manifest["apiVersion"]?.string ?? "").hasPrefix("batch/") else {
            throw StepError("\(step): the job template must be a batch/v1 Job, got \(manifest["apiVersion"]?.string ?? "?") \(manifest["kind"]?.string ?? "?")", permanent: true)
        }
        let handler = handlerID(env)
        if (manifest["metadata"]?["name"]?.string ?? "").isEmpty {
            let key = handler.isEmpty ? templateIdentity(action.manifest) : handler
            manifest.set(.string(jobName(owner: env.ownerName, uid: env.ownerUID, handler: key, step: step)), at: ["metadata", "name"])
        }
        var nsOverride: String? = nil
        if let t = action.namespace { nsOverride = try await env.evaluator.string(t, scope, what: "\(step): namespace") }
        var prepared = try await ManifestPreparation.prepare(manifest, namespaceOverride: nsOverride, env: env, step: step)
        prepared.link = Ownership.attach(to: &prepared.body, childNamespaced: true, childNamespace: prepared.ref.namespace, env: env)
        prepared.body.set(.string("\(handler)/\(stepName(step))"), at: ["metadata", "annotations", createdByAnnotation])
        return prepared
    }

    // MARK: Naming

    /// The handler's id, from the metadata of the logger the lifecycle hands down ("" when the
    /// log handler keeps no metadata; StepEnvironment does not carry the id).
    static func handlerID(_ env: StepEnvironment) -> String {
        if case .string(let id) = env.logger[metadataKey: "handler"] { return id }
        return ""
    }

    /// What tells this step's template from every other one when the handler's id is not at
    /// hand: its expressions' places in the operator's program, and its content.
    static func templateIdentity(_ t: TemplateValue) -> String {
        "template:" + t.expressionIDs.map { String($0.index) }.joined(separator: ",") + ":" + t.value.serialized()
    }

    /// `step restore[2]` → `restore[2]`.
    static func stepName(_ label: String) -> String {
        label.hasPrefix("step ") ? String(label.dropFirst(5)) : label
    }

    /// `<resource>-<step>-<8 hex>`: a DNS-1123 label of at most 63 characters (the Job's name
    /// becomes a label value on its pods), unique per resource uid, handler and step.
    static func jobName(owner: String, uid: String, handler: String, step: String) -> String {
        let hash = SHA1.hash(Array("\(uid)/\(handler)/\(step)".utf8)).prefix(4)
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        var stepPart = String(dnsLabel(stepName(step)).prefix(24))
        while stepPart.hasSuffix("-") { stepPart.removeLast() }
        let room = 63 - hash.count - 1 - (stepPart.isEmpty ? 0 : stepPart.count + 1)
        var ownerPart = String(dnsLabel(owner).prefix(max(0, room)))
        while ownerPart.hasSuffix("-") { ownerPart.removeLast() }
        return [ownerPart, stepPart, hash].filter { !$0.isEmpty }.joined(separator: "-")
    }

    /// Lower case letters, digits and single dashes, no dash at either end.
    static func dnsLabel(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(ch) || ("0"..."9").contains(ch)
            if ok {
                out.unicodeScalars.append(ch)
            } else if !out.isEmpty && !out.hasSuffix("-") {
                out.append("-")
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    // MARK: Creating

    /// Creates the Job, or takes the one of ours that is already there (a resumed handler).
    static func createOrAdopt(_ m: PreparedManifest, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> (JSON, Bool) {
        var replacedFailed = false
        while true {
            do {
                let created = try await env.api.create(m.info.gvr, namespace: m.ref.namespace, body: m.body,
                                                       options: WriteOptions(fieldManager: env.fieldManager))
                return (created, true)
            } catch let e as KubeError where e.code == 409 && e.reason == "AlreadyExists" {
                let existing: JSON
                do {
                    existing = try await env.api.get(m.ref)
                } catch let e as KubeError where e.code == 404 {
                    continue  // gone in between: create again
                }
                guard isOurs(existing, env) else {
                    throw StepError("\(step): a Job named \(m.ref.name) already exists in namespace \(m.ref.namespace ?? "") and does not belong to this resource; rename it in the template or delete it", permanent: true)
                }
                if existing["metadata"]?["deletionTimestamp"] != nil || (condition(existing, "Failed") != nil && !replacedFailed) {
                    // A failed earlier attempt: make room for a new one.
                    replacedFailed = true
                    try await deleteAndWait(existing, m.ref, env, step: step, deadline: deadline)
                    continue
                }
                return (existing, false)
            } catch let e as KubeError {
                throw StepError("\(step): cannot create Job \(m.ref.name): \(e.message)", permanent: ErrorPolicy.isPermanent(e))
            }
        }
    }

    static func isOurs(_ job: JSON, _ env: StepEnvironment) -> Bool {
        let refs = job["metadata"]?["ownerReferences"]?.array ?? []
        if refs.contains(where: { $0["uid"]?.string == env.ownerUID }) { return true }
        return job["metadata"]?["labels"]?[Ownership.ownerUIDLabel]?.string == env.ownerUID
    }

    private static func deleteAndWait(_ job: JSON, _ ref: ObjectRef, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws {
        do {
            _ = try await env.api.delete(ref, options: DeleteOptions(propagationPolicy: .background, preconditionUID: job["metadata"]?["uid"]?.string))
        } catch let e as KubeError where e.code == 404 || e.code == 409 {
            return  // gone, or already replaced by someone else: the create will tell
        }
        while true {
            do {
                let current = try await env.api.get(ref)
                if current["metadata"]?["uid"] != job["metadata"]?["uid"] { return }
            } catch let e as KubeError where e.code == 404 {
                return
            }
            try await sleep(until: deadline, what: "\(step): the failed Job \(ref.name) is still being deleted when the step's time ran out", env)
        }
    }

    // MARK: Waiting

    static func waitFinished(_ ref: ObjectRef, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> JSON {
        while true {
            let job: JSON
            do {
                job = try await env.api.get(ref)
            } catch let e as KubeError where e.code == 404 {
                throw StepError("\(step): Job \(ref.name) was deleted before it finished")
            }
            if condition(job, "Complete") != nil || condition(job, "Failed") != nil { return job }
            let s = job["status"] ?? [:]
            try await sleep(until: deadline, what: "\(step): Job \(ref.name) did not finish before the step's time ran out (active \(s["active"]?.int ?? 0), succeeded \(s["succeeded"]?.int ?? 0), failed \(s["failed"]?.int ?? 0))", env)
        }
    }

    /// Sleeps one poll interval, or fails with `what` when that would pass the deadline.
    private static func sleep(until deadline: ContinuousClock.Instant, what: String, _ env: StepEnvironment) async throws {
        if env.clock.now + pollInterval >= deadline { throw StepError(what) }
        try await env.clock.poll(for: pollInterval)
    }

    /// The condition of that type with status True.
    static func condition(_ job: JSON, _ type: String) -> JSON? {
        (job["status"]?["conditions"]?.array ?? []).first { $0["type"]?.string == type && $0["status"]?.string == "True" }
    }

    // MARK: Failure

    /// Why the Job failed: its condition, then the last failed pod's terminated container
    /// (exit code, reason, termination message) and the end of its log.
    static func failureMessage(_ job: JSON, _ ref: ObjectRef, _ env: StepEnvironment, step: String) async -> String {
        var parts: [String] = []
        if let failed = condition(job, "Failed") {
            let reason = failed["reason"]?.string ?? "Failed"
            let message = failed["message"]?.string ?? ""
            parts.append("Job \(ref.name) failed (\(reason)\(message.isEmpty ? "" : ": \(message)"))")
        } else {
            parts.append("Job \(ref.name) failed")
        }
        let uid = job["metadata"]?["uid"]?.string ?? ""
        // Kubernetes 1.27+ labels Job pods batch.kubernetes.io/controller-uid; older ones only controller-uid.
        var items: [JSON] = []
        for label in ["batch.kubernetes.io/controller-uid", "controller-uid"] where items.isEmpty {
            let list = try? await env.api.list(pods, namespace: ref.namespace, options: ListOptions(labelSelector: "\(label)=\(uid)"))
            items = list?["items"]?.array ?? []
        }
        let failedPods = items.filter { $0["status"]?["phase"]?.string == "Failed" }
        let latest = failedPods.max { a, b in
            (a["metadata"]?["creationTimestamp"]?.string ?? "", a["metadata"]?["name"]?.string ?? "")
                < (b["metadata"]?["creationTimestamp"]?.string ?? "", b["metadata"]?["name"]?.string ?? "")
        }
        if let pod = latest {
            let podName = pod["metadata"]?["name"]?.string ?? ""
            let statuses = pod["status"]?["containerStatuses"]?.array ?? []
            let failedContainer = statuses.first { ($0["state"]?["terminated"]?["exitCode"]?.int ?? 0) != 0 } ?? statuses.first
            var container: String? = nil
            if let c = failedContainer {
                container = c["name"]?.string
                let t = c["state"]?["terminated"] ?? c["lastState"]?["terminated"] ?? [:]
                var text = "pod \(podName) container \(container ?? "?") exited with \(t["exitCode"]?.int ?? -1)"
                if let reason = t["reason"]?.string { text += " (\(reason))" }
                if let message = t["message"]?.string, !message.isEmpty { text += ": \(OutputText.tail(message, 1000))" }
                parts.append(text)
            } else {
                parts.append("pod \(podName) failed")
            }
            if let access = env.api as? any PodAccess,
                let log = try? await access.logs(PodLogRequest(namespace: ref.namespace ?? "", pod: podName, container: container, tailLines: logTailLines, limitBytes: 64 << 10)) {
                let tail = OutputText.tail(log, 2000)
                if !tail.isEmpty { parts.append("log tail:\n\(tail)") }
            }
        }
        return "\(step): " + parts.joined(separator: "; ")
    }
}
