import JSONValue
import Kube
import Spec
import Steps

/// One step of a previewed handler: its `if`, its `forEach` (one rendered entry per
/// item), what it would send or run, and — with a cluster — what the cluster says.
/// A step that cannot be rendered says why (the step, the jq error and where the
/// expression is written) and the plan goes on with the next step.
struct StepPreview {
    let ctx: PreviewContext
    let handler: HandlerSpec

    /// What later steps see as `$steps.NAME`.
    enum Output {
        case value(JSON)
        /// The step is skipped: `$steps.NAME` is null, as in a run.
        case absent
        /// Only a run would know it.
        case unknown
    }

    struct Result {
        var entries: [JSON] = []
        var output: Output = .unknown
        var problems = 0
        /// Set when the handler certainly stops at this step (a `fail` that runs).
        var stops = false
    }

    func preview(_ step: StepSpec, scope: Scope, placeholders: Placeholders) async -> Result {
        var entry: JSONObject = ["step": .string(step.displayName)]
        var result = Result()
        let log = PlaceholderLog()
        let evaluator = placeholders.evaluator(pool: ctx.pool, log: log)
        var conditionKnown = true
        if let condition = step.condition {
            if let text = placeholders.standIn(for: condition.source) {
                entry["if"] = .string("`\(condition.source)` depends on \(text): shown as if it ran")
                conditionKnown = false
            } else {
                do {
                    let value = try await evaluator.value(condition, scope)
                    if !value.isTruthy {
                        entry["skipped"] = .string("if `\(condition.source)` is \(value.serialized())")
                        return Result(entries: [.object(entry)], output: .absent)
                    }
                    entry["if"] = .string("`\(condition.source)` is \(value.serialized())")
                } catch {
                    entry["error"] = .string(failure(error, log: log))
                    return Result(entries: [.object(entry)], output: .unknown, problems: 1)
                }
            }
        }
        guard let forEach = step.forEach else {
            let run = await render(step, label: StepRunner.label(of: step), scope: scope, placeholders: placeholders, into: entry)
            result.entries = [.object(run.entry)]
            result.output = run.output
            result.problems = run.problems
            result.stops = run.stops && conditionKnown
            return result
        }
        if let text = placeholders.standIn(for: forEach.source) {
            // The items come from what only a run knows: one entry, $item unknown.
            entry["forEach"] = .string("`\(Self.short(forEach.source))` depends on \(text): the step runs once per item, shown once with placeholders")
            var itemPlaceholders = placeholders
            itemPlaceholders.unknownItem = "<item from \(text.dropFirst().dropLast())>"
            let run = await render(step, label: StepRunner.label(of: step), scope: scope, placeholders: itemPlaceholders, into: entry)
            result.entries = [.object(run.entry)]
            result.problems = run.problems
            return result
        }
        let items: [JSON]
        do {
            items = try await StepRunner.items(of: forEach, scope: scope, evaluator: evaluator)
        } catch {
            entry["error"] = .string(failure(error, log: log))
            return Result(entries: [.object(entry)], output: .unknown, problems: 1)
        }
        if items.isEmpty {
            entry["forEach"] = .string("`\(Self.short(forEach.source))` has no items: the step does nothing")
            return Result(entries: [.object(entry)], output: .value([]))
        }
        var outputs: [JSON] = []
        var allKnown = true
        for (i, item) in items.enumerated() {
            var itemEntry: JSONObject = ["step": .string("\(step.displayName)[\(i)]")]
            if let condition = entry["if"] { itemEntry["if"] = condition }
            itemEntry["item"] = Self.shown(item)
            let run = await render(step, label: StepRunner.label(of: step, item: i),
                                   scope: StepRunner.itemScope(scope, item: item, index: i), placeholders: placeholders, into: itemEntry)
            result.entries.append(.object(run.entry))
            result.problems += run.problems
            if case .value(let v) = run.output { outputs.append(v) } else { allKnown = false }
            if run.stops && conditionKnown { result.stops = true }
        }
        result.output = allKnown ? .value(.array(outputs)) : .unknown
        return result
    }

    /// One run of the step (or of one item): rendered, read or checked against the cluster.
    private func render(_ step: StepSpec, label: String, scope: Scope, placeholders: Placeholders, into base: JSONObject)
        async -> (entry: JSONObject, output: Output, problems: Int, stops: Bool) {
        var entry = base
        let log = PlaceholderLog()
        let env = ctx.environment(handler: handler.id, evaluator: placeholders.evaluator(pool: ctx.pool, log: log))
        let rendered: StepRendering.Rendered
        do {
            rendered = try await StepRendering.render(step, label: label, scope: scope, env: env)
        } catch {
            if !log.placeholders.isEmpty {
                entry["cannotRender"] = .string("it depends on \(log.placeholders.joined(separator: ", ")), which only a run knows: \(failure(error, log: log))")
                return (entry, .unknown, 0, false)
            }
            entry["error"] = .string(failure(error, log: log))
            return (entry, .unknown, 1, false)
        }
        for (k, v) in RenderedDescription.fields(rendered, step: step, owner: ctx.owner) { entry[k] = v }
        if !log.placeholders.isEmpty {
            entry["placeholders"] = .string("parts depend on \(log.placeholders.joined(separator: ", ")), which only a run knows")
        }
        if step.onError == .continue { entry["onError"] = "continue: a failure is recorded in $steps (ok: false) and the handler goes on" }

        var output: Output = .unknown
        var problems = 0
        var stops = false
        switch rendered {
        case .status(let patch):
            output = .value(patch)
        case .event(let type, let reason, let message):
            // Posted as the runtime posts it: secret values of the resource redacted.
            let posted: JSON = ["type": .string(type), "reason": .string(reason), "message": .string(env.redact(message))]
            entry["event"] = posted
            output = .value(posted)
        case .fail(_, let permanent):
            stops = step.onError != .continue
            entry["then"] = .string(stops ? "the handler fails here\(permanent ? " for good" : " and is retried"); the steps after it do not run" : "onError: continue: the handler goes on")
        case .get, .list:
            guard ctx.cluster else {
                entry["read"] = "only with --cluster: later steps see a placeholder for its output"
                break
            }
            guard log.placeholders.isEmpty else {
                entry["read"] = "not run: what it reads depends on an earlier step's output"
                break
            }
            do {
                if let read = try await StepRendering.read(step, label: label, scope: scope, env: env) {
                    output = .value(read)
                    entry["read"] = Self.summary(of: read)
                }
            } catch {
                entry["read"] = .string("failed: \(error)")
                if (error as? StepError)?.permanent == true { problems += 1 }
            }
        default:
            break
        }
        if ctx.cluster, log.placeholders.isEmpty {
            let check = ClusterCheck(api: ctx.api, env: env, maskSecrets: ctx.maskSecrets)
            let kind: String?
            if case .patch(let a) = step.action, a.target == nil { kind = ctx.ownerInfo.kind } else { kind = ObjectTargetOf.step(step)?.kind }
            if let finding = await check.check(rendered, label: label, kind: kind) {
                entry["cluster"] = finding.value
                problems += finding.problems
            }
        }
        return (entry, output, problems, stops)
    }

    /// A failure's message, with where the failing expression is written.
    private func failure(_ error: any Error, log: PlaceholderLog) -> String {
        let message = (error as? StepError)?.message ?? "\(error)"
        if message.hasPrefix("jq expression"), let id = log.lastExpression, let site = ctx.site(of: id) {
            return "\(message) (\(site))"
        }
        return message
    }

    /// An item as shown: objects (a `list` step's items) without their managedFields.
    static func shown(_ item: JSON) -> JSON {
        var o = item
        o.remove(at: ["metadata", "managedFields"])
        return o
    }

    /// What a read found, in a few words.
    static func summary(of output: JSON) -> JSON {
        if let items = output["items"]?.array {
            let names = items.compactMap { $0["metadata"]?["name"]?.string }
            return .string("found \(items.count) object\(items.count == 1 ? "" : "s")\(names.isEmpty ? "" : ": " + names.joined(separator: ", "))")
        }
        if output.isNull { return "not found (optional): its output is null" }
        return .string("found \(output["metadata"]?["name"]?.string ?? "it")")
    }

    static func short(_ s: String) -> String {
        let flat = s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 100 ? String(flat.prefix(97)) + "…" : flat
    }
}
