import JSONValue
import Spec
import Steps

/// Which handlers a cause runs, in file order, and why each does or does not: `on:`,
/// then `field:` (update handlers), then `when:`.
///
/// `on: reconcile` handlers join the create, update and resume causes and are the only
/// ones a reconcile (an owned child changed, the resync period passed) runs.
///
/// Used by the lifecycle and by `yopf plan` (which shows the reasons).
public enum HandlerSelection {
    public struct Choice: Sendable {
        public var handler: HandlerSpec
        public var runs: Bool
        /// Why it runs or not, for people: `on: update, field spec.password changed`.
        public var why: String
    }

    /// Whether a handler reacts to a purpose at all.
    public static func reacts(_ on: HandlerEvent, to purpose: Purpose) -> Bool {
        switch purpose {
        case .create: return on == .create || on == .reconcile
        case .update: return on == .update || on == .reconcile
        case .resume: return on == .resume || on == .reconcile
        case .reconcile: return on == .reconcile
        case .delete: return on == .delete
        case .timer: return on == .timer
        case .schedule: return on == .schedule
        }
    }

    /// The variables of a cause (`$old`, `$new`, `$diff`, `$reason`).
    public static func variables(for cause: Cause, object: JSON, reason: String) -> [String: JSON] {
        var v: [String: JSON] = ["new": object, "reason": .string(reason)]
        if case .update(let old, let diff) = cause {
            v["old"] = old ?? .null
            v["diff"] = .array(diff.map(\.json))
        }
        return v
    }

    public static func choose(
        _ handlers: [HandlerSpec], purpose: Purpose, cause: Cause, object: JSON, reason: String,
        only: [String]? = nil, evaluator: Evaluator
    ) async throws -> [Choice] {
        var out: [Choice] = []
        let variables = variables(for: cause, object: object, reason: reason)
        for h in handlers where reacts(h.on, to: purpose) {
            var why = "on: \(h.on.rawValue)"
            if h.on == .reconcile { why += " (\(reason))" }
            if let only, !only.contains(h.id) {
                out.append(Choice(handler: h, runs: false, why: why + "; not among the failed handlers being re-run"))
                continue
            }
            if let field = h.field, case .update(let old, let diff) = cause {
                if let old {
                    let changed = old.value(at: field) != object.value(at: field) || diff.contains { $0.path.starts(with: field) }
                    if !changed {
                        out.append(Choice(handler: h, runs: false, why: why + "; field \(field.joined(separator: ".")) did not change"))
                        continue
                    }
                    why += "; field \(field.joined(separator: ".")) changed"
                } else {
                    why += "; field \(field.joined(separator: ".")) (the last handled state was too big to keep: runs on any change)"
                }
            }
            if let when = h.when {
                let value = try await evaluator.value(when, Scope(object: object, variables: variables))
                if !value.isTruthy {
                    out.append(Choice(handler: h, runs: false, why: why + "; when `\(h.when!.source)` is \(value.serialized())"))
                    continue
                }
                why += "; when `\(when.source)` is \(value.serialized())"
            }
            out.append(Choice(handler: h, runs: true, why: why))
        }
        return out
    }
}
