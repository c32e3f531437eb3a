import JQ
import JSONValue
import Kube
import Lifecycle
import Spec
import Steps

/// `yopf plan`: which handlers of an operator would run for an object and an event, and
/// what each of their steps would do — rendered by the runtime's own code (cause
/// detection, handler selection, step rendering), never by a second implementation.
///
/// Without a cluster nothing is read or written (the API answers discovery only); with
/// one, `get`/`list` steps really run (they only read) and writes are dry-run. Called by
/// the CLI's `PlanCommand`.
public enum HandlerPreviewer {
    /// What to preview.
    public struct Request: Sendable {
        public var loaded: LoadedOperator
        /// The object as given (`--object`), and the file it came from.
        public var object: JSON
        public var objectFile: String
        /// `--old`: the object before an update.
        public var old: JSON?
        public var oldFile: String
        public var event: PreviewEvent?
        /// `--redact`: hide secret values.
        public var redact: Bool

        public init(loaded: LoadedOperator, object: JSON, objectFile: String, old: JSON? = nil, oldFile: String = "--old",
                    event: PreviewEvent? = nil, redact: Bool = false) {
            self.loaded = loaded
            self.object = object
            self.objectFile = objectFile
            self.old = old
            self.oldFile = oldFile
            self.event = event
            self.redact = redact
        }
    }

    /// Where a preview gets its answers from.
    public enum Source: Sendable {
        /// No cluster: discovery serves the built-in kinds and the operator's CRD; other
        /// kinds the steps name are guessed.
        case offline
        /// A cluster, for reads and dry runs only.
        case cluster(any KubeAPI)
    }

    public static func preview(_ request: Request, source: Source) async throws(PreviewError) -> PreviewReport {
        let spec = request.loaded.spec
        let setup = try await PreviewSetup.make(request, source: source)
        let object = setup.object
        var notes = setup.notes
        let pool = JQPool(program: request.loaded.program, maxWorkers: 2)
        let evaluator = Evaluator(pool: pool)
        let redactor = Redactor(object: object, old: request.old)
        var plan = JSONObject()
        plan["operator"] = .string("\(spec.name) (\(request.loaded.file))")
        plan["object"] = .string(ObjectCheck.describe(object))
        var problems = 0

        let choice: CauseChoice
        switch try CauseChoice.decide(event: request.event, object: object, old: request.old, spec: spec) {
        case .nothing(let why):
            plan["cause"] = "none"
            plan["handlers"] = .string("none run: \(why)")
            return PreviewReport(plan: plan, notes: notes, problems: 0, redactor: redactor, redact: request.redact)
        case .handle(let c):
            choice = c
        }
        plan["cause"] = .string(describe(choice))
        if case .update(let old, let diff) = choice.cause {
            var changes = JSONObject()
            for d in diff { changes[d.path.joined(separator: ".")] = .string(describe(d)) }
            plan["changes"] = .object(changes)
            if old == nil { notes.append("the last handled state was too big to keep (a digest only): $old and $diff are empty and field handlers run on any change") }
        }
        let variables = HandlerSelection.variables(for: choice.cause, object: object, reason: choice.reason)

        // The watch filter: deletions are always handled; timers never run on a deleting object.
        var stop: String? = nil
        let deleting = !(object["metadata"]?["deletionTimestamp"]?.isNull ?? true)
        if choice.due != nil && deleting { stop = "the object is being deleted: timers and schedules do not run" }
        if stop == nil, choice.purpose != .delete, let filter = spec.watch.filter {
            do {
                let value = try await evaluator.value(filter, Scope(object: object))
                plan["filter"] = .string("`\(filter.source)` is \(value.serialized())")
                if !value.isTruthy { stop = "the watch filter `\(filter.source)` is \(value.serialized()): the operator ignores this object" }
            } catch {
                plan["filter"] = .string("error: \(error)")
                problems += 1
                stop = "the watch filter failed"
            }
        }

        let candidates = choice.due.map { [$0] } ?? spec.handlers
        let ctx = PreviewContext(loaded: request.loaded, pool: pool, api: setup.api, resolver: setup.resolver, owner: object,
                                 ownerInfo: setup.info, cluster: setup.cluster, maskSecrets: request.redact, redactor: redactor)
        var handlers: [JSON] = []
        for handler in candidates {
            let choices: [HandlerSelection.Choice]
            do {
                choices = try await HandlerSelection.choose([handler], purpose: choice.purpose, cause: choice.cause, object: object,
                                                            reason: choice.reason, evaluator: evaluator)
            } catch {
                handlers.append(["id": .string(handler.id), "runs": "unknown", "error": .string("\(error)")])
                problems += 1
                continue
            }
            for c in choices {
                var h: JSONObject = ["id": .string(c.handler.id)]
                guard c.runs, stop == nil else {
                    h["runs"] = false
                    h["why"] = .string(stop.map { "\(c.why); but \($0)" } ?? c.why)
                    handlers.append(.object(h))
                    continue
                }
                h["runs"] = true
                h["why"] = .string(c.why)
                let run = await HandlerRunPreview(ctx: ctx).preview(c.handler, variables: variables)
                h["steps"] = .array(run.steps)
                if let result = run.result { h["result"] = result }
                problems += run.problems
                handlers.append(.object(h))
            }
        }
        plan["handlers"] = handlers.isEmpty ? .string("none react to \(choice.purpose.rawValue)") : .array(handlers)
        return PreviewReport(plan: plan, notes: notes, problems: problems, redactor: redactor, redact: request.redact)
    }

    static func describe(_ choice: CauseChoice) -> String {
        switch choice.purpose {
        case .timer, .schedule: return "\(choice.purpose.rawValue) \(choice.due?.id ?? "")"
        case .reconcile: return "reconcile (\(choice.reason))"
        default: return choice.purpose.rawValue
        }
    }

    /// A change as `$diff` holds it, in a few words: `otuspassword → n3w-s3cret`.
    static func describe(_ d: DiffEntry) -> String {
        switch d.op {
        case .add: return "added: \(text(d.new))"
        case .remove: return "removed (was \(text(d.old)))"
        case .change: return "\(text(d.old)) → \(text(d.new))"
        }
    }

    /// A string as it is (when that cannot be mistaken), anything else as JSON.
    static func text(_ value: JSON) -> String {
        if let s = value.string, !s.isEmpty, s.first != " ", s.last != " ", !s.contains("→") { return s }
        return value.serialized()
    }
}
