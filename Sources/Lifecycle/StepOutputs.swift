import JSONValue
import Spec

/// Which step outputs go into `status.yopf.progress.<handler>.steps` while a handler
/// runs, and in what form.
///
/// Within one run every later step sees earlier outputs whole, in memory. Status keeps
/// only what a resume needs: the outputs that steps still to come (or `result`) read,
/// as the loader found by scanning their expressions, and nothing once the handler is
/// finished. Outputs of `get` and `list` are never kept: they are read again on resume
/// (reads are safe to repeat, and the state they see is fresher). Kept objects lose
/// `metadata.managedFields`, and every kept string is redacted.
enum StepOutputs {
    /// Above this size (serialized), a kept output is replaced by a marker; a resume
    /// that needs it fails with a message saying so.
    static let keepLimit = 64 << 10

    /// The outputs to keep after step `index` of `handler` ran.
    static func kept(_ outputs: JSONObject, after index: Int, of handler: HandlerSpec, redactor: Redactor) -> JSONObject {
        let needed = neededNames(after: index, of: handler)
        var kept = JSONObject()
        for (name, value) in outputs {
            guard needed.map({ $0.contains(name) }) ?? true else { continue }
            guard let step = handler.step(named: name), !isRead(step) else { continue }
            let slim = redactor.redact(withoutManagedFields(value))
            let size = slim.serializedBytes().count
            kept[name] = size <= keepLimit ? slim : ["yopf.dev/omitted": .int(size)]
        }
        return kept
    }

    /// Names read after step `index` (nil: any).
    static func neededNames(after index: Int, of handler: HandlerSpec) -> Set<String>? {
        guard index >= 0, index < handler.outputsReadAfter.count else { return nil }
        return handler.outputsReadAfter[index]
    }

    /// Steps whose output is read again on resume instead of being kept.
    static func isRead(_ step: StepSpec) -> Bool {
        switch step.kind {
        case .get, .list: return true
        default: return false
        }
    }

    /// The steps before `next` whose outputs a resume at `next` must read again.
    static func toRepeat(before next: Int, of handler: HandlerSpec, have outputs: JSONObject) -> [StepSpec] {
        guard next > 0 else { return [] }
        let needed = neededNames(after: next - 1, of: handler)
        return handler.steps.prefix(next).filter { step in
            guard let name = step.name, isRead(step), outputs[name] == nil else { return false }
            return needed.map { $0.contains(name) } ?? true
        }
    }

    /// A kept output that was too big, if `outputs` holds one that is needed.
    static func omitted(in outputs: JSONObject, before next: Int, of handler: HandlerSpec) -> (String, Int)? {
        let needed = neededNames(after: next - 1, of: handler)
        for (name, value) in outputs {
            guard let size = value["yopf.dev/omitted"]?.int, needed.map({ $0.contains(name) }) ?? true else { continue }
            return (name, size)
        }
        return nil
    }

    /// Objects as kept: without `managedFields` (kilobytes per object of no use here),
    /// through the few levels that step outputs wrap objects in (a `forEach` array, a
    /// list's `items`), not into the objects' own content.
    static func withoutManagedFields(_ value: JSON, depth: Int = 0) -> JSON {
        guard depth < 4 else { return value }
        switch value {
        case .array(let items): return .array(items.map { withoutManagedFields($0, depth: depth + 1) })
        case .object(var o):
            if case .object(var meta)? = o["metadata"], meta["managedFields"] != nil {
                meta["managedFields"] = nil
                o["metadata"] = .object(meta)
            }
            for key in ["items", "objects", "object"] {
                if let v = o[key] { o[key] = withoutManagedFields(v, depth: depth + 1) }
            }
            return .object(o)
        default: return value
        }
    }
}
