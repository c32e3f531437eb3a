import JQ
import JSONValue
import Kube
import KubeMemory
import YAMLLoader
import Platform

/// Checks a scenario step's expectations against the in-process cluster and what was
/// recorded during the step (its `Window`): objects through jq, the handlers and steps
/// that ran (from the runtime's log), Events, commands run in pods, the operator's
/// writes. A failure holds what was expected and what was found as text a diff can
/// compare. Also resolves the scenario's object and Job references (kind → resource).
/// Called by `ScenarioRunner`.
struct ExpectationChecker: Sendable {
    /// Where each record stood when the step began.
    struct Window: Sendable {
        var log: Int
        var commands: Int
        var calls: Int
        var events: Int
        var changes: Int
    }

    static let writeOptions = WriteOptions(fieldManager: "yopf-test")

    let sim: SimulatedOperator
    let scenario: Scenario
    let pool: JQPool?
    let events: EventLog
    let changes: ChangeLog

    var cluster: MemoryCluster { sim.cluster }

    // MARK: - References

    func info(apiVersion: String?, kind: String) async throws -> ResourceInfo {
        let all = try await cluster.resources().filter { $0.kind == kind && (apiVersion == nil || $0.gvr.apiVersion == apiVersion) }
        // The same kind may be served in several versions of one group: take the first.
        var byGroup: [String: ResourceInfo] = [:]
        for info in all where byGroup[info.gvr.group] == nil { byGroup[info.gvr.group] = info }
        if byGroup.count > 1 {
            throw ScenarioRuntimeError("kind \(kind) is served by several groups (\(byGroup.keys.sorted().joined(separator: ", "))); give apiVersion:")
        }
        guard let info = byGroup.values.first else {
            throw ScenarioRuntimeError("the cluster serves no kind \(kind)\(apiVersion.map { " in \($0)" } ?? "") (a custom resource needs its CustomResourceDefinition among objects:)")
        }
        return info
    }

    func namespace(_ info: ResourceInfo, _ given: String?) -> String? {
        info.namespaced ? (given ?? scenario.namespace) : nil
    }

    func ref(_ target: ObjectTarget) async throws -> ObjectRef {
        let info = try await info(apiVersion: target.apiVersion, kind: target.kind)
        return ObjectRef(info.gvr, namespace: namespace(info, target.namespace), name: target.name ?? "")
    }

    func create(_ object: JSON) async throws -> JSON {
        let info = try await info(apiVersion: object["apiVersion"]?.string, kind: object["kind"]?.string ?? "")
        return try await cluster.create(info.gvr, namespace: namespace(info, object["metadata"]?["namespace"]?.string), body: object, options: Self.writeOptions)
    }

    /// Replaces the object (its resourceVersion is the current one unless given).
    func update(_ object: JSON) async throws {
        let info = try await info(apiVersion: object["apiVersion"]?.string, kind: object["kind"]?.string ?? "")
        let ref = ObjectRef(info.gvr, namespace: namespace(info, object["metadata"]?["namespace"]?.string), name: object["metadata"]?["name"]?.string ?? "")
        var body = object
        if body["metadata"]?["resourceVersion"] == nil {
            let current = try await cluster.get(ref)
            body["metadata"]?["resourceVersion"] = current["metadata"]?["resourceVersion"]
        }
        _ = try await cluster.update(ref, subresource: nil, body: body, options: Self.writeOptions)
    }

    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    func job(_ target: JobTarget) async throws -> (namespace: String, name: String) {
        let namespace = target.namespace ?? scenario.namespace
        let names = (try await cluster.list(Self.jobs, namespace: namespace)["items"]?.array ?? []).compactMap { $0["metadata"]?["name"]?.string }.sorted()
        let found = target.name.flatMap { n in names.first { $0 == n } } ?? target.prefix.flatMap { p in names.first { $0.hasPrefix(p) } }
        guard let found else {
            let wanted = target.name.map { "named \($0)" } ?? "whose name starts with \(target.prefix ?? "")"
            throw ScenarioRuntimeError("no Job \(wanted) in namespace \(namespace); the Jobs there: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return (namespace, found)
    }

    // MARK: - Expectations

    func check(_ expectation: Expectation, since window: Window) async -> ScenarioFailure? {
        do {
            switch expectation.kind {
            case .object(let target, let check, let history):
                return try await object(target, check, history ? window : nil, expectation.mark)
            case .ran(let names): return ran(names, mustRun: true, expectation.mark, window)
            case .notRan(let names): return ran(names, mustRun: false, expectation.mark, window)
            case .event(let match, let absent): return event(match, absent: absent, expectation.mark, window)
            case .commands(let expected): return commands(expected, expectation.mark, window)
            case .writes(let count, let verb, let resource): return writes(count, verb: verb, resource: resource, expectation.mark, window)
            }
        } catch {
            return failure(expectation.mark, "cannot check: \(ScenarioRunner.text(error))")
        }
    }

    func failure(_ mark: SourceMark, _ message: String, expected: String? = nil, found: String? = nil, context: String? = nil) -> ScenarioFailure {
        ScenarioFailure(mark: mark, message: message, expected: expected, found: found, context: context, log: [])
    }

    /// YAML for people: what a diff compares. Scalars on one line.
    static func show(_ value: JSON) -> String {
        switch value {
        case .object(let o) where !o.isEmpty: return YAML.emit(value)
        case .array(let a) where !a.isEmpty: return YAML.emit(value)
        default: return value.serialized() + "\n"
        }
    }

    /// An object as found, without what only the API server cares about.
    static func trimmed(_ value: JSON) -> JSON {
        if let items = value.array { return .array(items.map(trimmed)) }
        guard value["metadata"]?.object != nil else { return value }
        var o = value
        o["metadata"]?["managedFields"] = nil
        return o
    }

    static func clip(_ text: String, lines: Int = 60) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard all.count > lines else { return text }
        return all.prefix(lines).joined(separator: "\n") + "\n… (\(all.count - lines) more lines)\n"
    }

    func object(_ target: ObjectTarget, _ check: ObjectCheck, _ history: Window?, _ mark: SourceMark) async throws -> ScenarioFailure? {
        let info = try await info(apiVersion: target.apiVersion, kind: target.kind)
        let ns = namespace(info, target.namespace)
        let input: JSON?
        if let history, let name = target.name {
            // The object after each change during the step (a deletion: as it went).
            input = .array(changes.changes(from: history.changes).filter {
                $0.group == info.gvr.group && $0.resource == info.gvr.resource && $0.namespace == (ns ?? "")
                    && $0.object["metadata"]?["name"]?.string == name
            }.map(\.object))
        } else if let name = target.name {
            do {
                input = try await cluster.get(ObjectRef(info.gvr, namespace: ns, name: name))
            } catch let e as KubeError where e.code == 404 {
                input = nil
            }
        } else {
            let selector = target.labels.isEmpty ? nil : target.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let items = try await cluster.list(info.gvr, namespace: ns, options: ListOptions(labelSelector: selector))["items"]?.array ?? []
            input = .array(items.sorted { ($0["metadata"]?["name"]?.string ?? "") < ($1["metadata"]?["name"]?.string ?? "") })
        }
        switch check {
        case .exists(let wanted):
            let there: Bool = input.map { $0.array.map { !$0.isEmpty } ?? true } ?? false
            guard there != wanted else { return nil }
            if wanted {
                return failure(mark, "\(target) does not exist", expected: "exists\n", found: "not there\n", context: try await present(info, ns))
            }
            return failure(mark, "\(target) exists and should not", expected: "not there\n", found: "exists\n",
                           context: input.map { "as found:\n" + Self.clip(Self.show(Self.trimmed($0))) })
        case .holds(let e), .equals(let e, _):
            guard let input else {
                return failure(mark, "\(target) does not exist", context: try await present(info, ns))
            }
            guard let pool else { return failure(mark, "no jq program (internal)") }
            let value: JSON
            do {
                let outputs = try await pool.evaluate(e.index, input: Self.trimmed(input))
                value = outputs.count == 1 ? outputs[0] : .array(outputs)
            } catch {
                return failure(mark, "jq \(e.text): \(error)", context: Self.clip(Self.show(Self.trimmed(input))))
            }
            if case .equals(_, let wanted) = check {
                guard value != wanted else { return nil }
                return failure(mark, "\(target): \(e.text) is not as expected", expected: Self.show(wanted), found: Self.show(value))
            }
            guard value != .bool(true) else { return nil }
            return failure(mark, "\(target): \(e.text) is not true", expected: "true\n", found: Self.show(value),
                           context: "the object as found:\n" + Self.clip(Self.show(Self.trimmed(input))))
        }
    }

    /// What there is of a kind, for a failure about a missing object.
    func present(_ info: ResourceInfo, _ namespace: String?) async throws -> String {
        let names = (try await cluster.list(info.gvr, namespace: namespace)["items"]?.array ?? []).compactMap { $0["metadata"]?["name"]?.string }.sorted()
        return "\(info.kind) objects\(namespace.map { " in \($0)" } ?? ""): \(names.isEmpty ? "none" : names.joined(separator: ", "))"
    }

    /// Handlers (`id`) and steps (`id/step`) that ran during the window, in order.
    func ranDuring(_ window: Window) -> [String] {
        var order: [String] = []
        var started: [String: Int] = [:]
        var skipped: [String: Int] = [:]
        for entry in sim.log.entries(from: window.log) {
            guard let handler = entry.handler else { continue }
            if entry.message == "step starting" || entry.message.hasPrefix("handler ") {
                if !order.contains(handler) { order.append(handler) }
            }
            guard let step = entry.step else { continue }
            let key = "\(handler)/\(step)"
            if entry.message == "step starting" {
                started[key, default: 0] += 1
                if !order.contains(key) { order.append(key) }
            } else if entry.message.hasPrefix("step skipped") {
                skipped[key, default: 0] += 1
            }
        }
        return order.filter { !$0.includes("/") || started[$0, default: 0] > skipped[$0, default: 0] }
    }

    func ran(_ names: [String], mustRun: Bool, _ mark: SourceMark, _ window: Window) -> ScenarioFailure? {
        let ran = ranDuring(window)
        let wrong = names.filter { ran.contains($0) != mustRun }
        guard !wrong.isEmpty else { return nil }
        let found = ran.isEmpty ? "nothing ran\n" : ran.map { "- \($0)\n" }.joined()
        if mustRun {
            return failure(mark, "did not run during this step: \(wrong.joined(separator: ", "))",
                           expected: (ran + wrong).map { "- \($0)\n" }.joined(), found: found)
        }
        return failure(mark, "ran during this step and should not have: \(wrong.joined(separator: ", "))",
                       expected: ran.filter { !wrong.contains($0) }.map { "- \($0)\n" }.joined(), found: found)
    }

    static func eventLine(_ e: JSON) -> String {
        let involved = e["involvedObject"] ?? [:]
        let count = e["count"]?.int ?? 1
        return "\(e["type"]?.string ?? "") \(e["reason"]?.string ?? "") \(involved["kind"]?.string ?? "")/\(involved["name"]?.string ?? ""): \(e["message"]?.string ?? "")\(count > 1 ? " (×\(count))" : "")"
    }

    func event(_ match: EventMatch, absent: Bool, _ mark: SourceMark, _ window: Window) -> ScenarioFailure? {
        let seen = events.events(from: window.events)
        let matching = seen.filter { e in
            if let r = match.reason, e["reason"]?.string != r { return false }
            if let t = match.type, e["type"]?.string != t { return false }
            if let m = match.message, !(e["message"]?.string ?? "").includes(m) { return false }
            if let k = match.kind, e["involvedObject"]?["kind"]?.string != k { return false }
            if let n = match.name, e["involvedObject"]?["name"]?.string != n { return false }
            return true
        }
        let found = seen.isEmpty ? "no Events\n" : seen.map { "- " + Self.eventLine($0) + "\n" }.joined()
        if absent && !matching.isEmpty {
            return failure(mark, "an Event with \(match) was posted during this step", expected: "no such Event\n", found: found)
        }
        if !absent && matching.isEmpty {
            return failure(mark, "no Event with \(match) during this step", expected: "an Event with \(match)\n", found: found)
        }
        return nil
    }

    func commands(_ expected: [CommandMatch], _ mark: SourceMark, _ window: Window) -> ScenarioFailure? {
        let calls = Array(sim.commands.recorded.dropFirst(window.commands))
        let same = calls.count == expected.count && zip(calls, expected).allSatisfy { call, want in
            call.argv == want.command && (want.pod.map { call.pod.hasPrefix($0) } ?? true)
                && (want.container.map { call.container == $0 } ?? true) && (want.stdin.map { call.stdin == $0 } ?? true)
        }
        guard !same else { return nil }
        func shown(_ m: CommandMatch) -> JSON {
            var o: JSON = [:]
            if let p = m.pod { o["pod"] = .string(p) }
            if let c = m.container { o["container"] = .string(c) }
            o["command"] = .array(m.command.map { .string($0) })
            if let s = m.stdin { o["stdin"] = .string(s) }
            return o
        }
        // A found command shows the fields its expected counterpart names (pods by the
        // prefix expected, when they match it), so that the diff shows only differences.
        let found: [JSON] = calls.enumerated().map { i, call in
            let want = i < expected.count ? expected[i] : CommandMatch(command: [], pod: "", container: call.container)
            var o: JSON = [:]
            if let p = want.pod { o["pod"] = .string(call.pod.hasPrefix(p) && !p.isEmpty ? p : call.pod) }
            if want.container != nil { o["container"] = .string(call.container) }
            o["command"] = .array(call.argv.map { .string($0) })
            if want.stdin != nil { o["stdin"] = .string(call.stdin) }
            return o
        }
        return failure(mark, "the commands run in pods during this step differ (\(expected.count) expected, \(calls.count) ran)",
                       expected: Self.show(.array(expected.map(shown))), found: Self.show(.array(found)))
    }

    func writes(_ count: Int, verb: String?, resource: String?, _ mark: SourceMark, _ window: Window) -> ScenarioFailure? {
        let writes = sim.api.calls(from: window.calls).filter { call in
            call.isWrite && call.failedWith == nil && (verb.map { call.verb == $0 } ?? true)
                && (resource.map { call.resource == $0 } ?? (call.resource != "events"))
        }
        guard writes.count != count else { return nil }
        let what = [verb, resource].compactMap { $0 }.joined(separator: " ")
        return failure(mark, "the operator made \(writes.count) \(what.isEmpty ? "" : what + " ")writes during this step, not \(count)",
                       expected: "\(count) writes\n", found: "\(writes.count) writes\n" + writes.map { "- \($0.description)\n" }.joined())
    }
}
