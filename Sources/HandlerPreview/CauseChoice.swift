import JSONValue
import Lifecycle
import Spec

/// Why the previewed handlers run: the cause, as the runtime's `CauseDetector` decides it
/// from the object and a diff base, or as `--event` names it.
///
/// - No `--event`, no `--old`: the object's own `status.yopf` decides (create when it was
///   never handled; update when its spec, labels or annotations differ from the last
///   handled ones; delete when it is being deleted; nothing when it is as last handled).
/// - `--old`: the old object is the diff base (`$old` is its essence, as the runtime keeps
///   it), so the cause is an update — or nothing, when the essences are equal.
/// - `--event`: that cause; `update` needs `--old` or a diff base in `status.yopf`.
struct CauseChoice: Sendable {
    var purpose: Purpose
    var cause: Cause
    /// `$reason`.
    var reason: String
    /// For `timer:ID` and `schedule:ID`: the handler that is due.
    var due: HandlerSpec?

    enum Outcome: Sendable {
        case handle(CauseChoice)
        /// The runtime would run no handler; why.
        case nothing(String)
    }

    static func decide(event: PreviewEvent?, object: JSON, old: JSON?, spec: OperatorSpec) throws(PreviewError) -> Outcome {
        let finalizer = spec.settings.finalizer
        switch event {
        case nil:
            if let old { return updateOutcome(from: Essence.of(old), object: object, finalizer: finalizer) }
            let state = ObjectState(object: object)
            guard let cause = CauseDetector.detect(object: object, state: state, finalizer: finalizer,
                                                   resumedInThisProcess: true, digest: ObjectProcessor.digest) else {
                if let ts = object["metadata"]?["deletionTimestamp"], !ts.isNull {
                    return .nothing("the object is being deleted and carries no \(finalizer) finalizer: yopf has nothing left to do")
                }
                return .nothing("the object's spec, labels and annotations are as last handled (status.yopf.handled): no handler runs; give --event or --old to preview one")
            }
            return .handle(choice(cause))
        case .update?:
            if let old { return updateOutcome(from: Essence.of(old), object: object, finalizer: finalizer, forceUpdate: true) }
            let state = ObjectState(object: object)
            if let handled = state.handled { return updateOutcome(from: handled, object: object, finalizer: finalizer, forceUpdate: true) }
            if state.handledDigest != nil { return .handle(choice(.update(old: nil, diff: []))) }
            throw PreviewError("--event update needs --old OLD.yaml (the object before the change), or an object whose status.yopf.handled records the last handled state")
        case .create?, .delete?, .resume?, .reconcile?, .timer?, .schedule?:
            guard old == nil else { throw PreviewError("--old is for updates; with --event \(event.map { "\($0)" } ?? "") leave it out") }
            switch event {
            case .delete?: return .handle(choice(.delete))
            case .resume?: return .handle(choice(.resume))
            case .reconcile?: return .handle(choice(.reconcile))
            case .timer(let id)?: return .handle(try due(id, on: .timer, purpose: .timer, spec: spec))
            case .schedule(let id)?: return .handle(try due(id, on: .schedule, purpose: .schedule, spec: spec))
            default: return .handle(choice(.create))
            }
        }
    }

    /// The cause and `$reason` as the lifecycle derives them.
    static func choice(_ cause: Cause) -> CauseChoice {
        CauseChoice(purpose: Purpose(cause), cause: cause,
                    reason: ObjectProcessor.reason(for: cause, childChanged: false, resync: true))
    }

    /// What `CauseDetector` makes of the object against a diff base `handled`. With
    /// `forceUpdate` (an explicit `--event update`) a deletion mark on the object is left
    /// out of the detection.
    static func updateOutcome(from handled: JSON, object: JSON, finalizer: String, forceUpdate: Bool = false) -> Outcome {
        var subject = object
        if forceUpdate { subject.remove(at: ["metadata", "deletionTimestamp"]) }
        let state = ObjectState(handled: handled)
        guard let cause = CauseDetector.detect(object: subject, state: state, finalizer: finalizer,
                                               resumedInThisProcess: true, digest: ObjectProcessor.digest) else {
            return .nothing("the old and the new object have the same spec, labels and annotations: yopf sees no update")
        }
        return .handle(choice(cause))
    }

    /// A timer or cron handler by id.
    static func due(_ id: String, on: HandlerEvent, purpose: Purpose, spec: OperatorSpec) throws(PreviewError) -> CauseChoice {
        guard let handler = spec.handlers.first(where: { $0.id == id && $0.on == on }) else {
            let ids = spec.handlers.filter { $0.on == on }.map(\.id)
            let known = ids.isEmpty ? "the operator has no `on: \(on.rawValue)` handler" : "its \(on.rawValue) handlers: \(ids.joined(separator: ", "))"
            throw PreviewError("--event \(on.rawValue):\(id): no \(on.rawValue) handler with id \(id) (\(known))")
        }
        // The runtime binds `$new` and `$reason` for timers; a cause without `$old` gives exactly that.
        return CauseChoice(purpose: purpose, cause: .resume, reason: on.rawValue, due: handler)
    }
}
