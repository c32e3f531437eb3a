import JSONValue

/// Why an object is being handled now.
public enum Cause: Sendable, Equatable {
    case create
    /// `old` is the handled essence in object shape (nil when only a digest was kept).
    case update(old: JSON?, diff: [DiffEntry])
    case delete
    case resume
    /// Level-triggered: an owned child changed, the resync period passed, or a reconcile
    /// cycle is being continued. Only `on: reconcile` handlers run.
    case reconcile
}

/// Decides the cause from the object and its `status.yopf`, as Kopf does from its
/// annotations: a deleting object with our finalizer → delete; a cycle in progress →
/// continue it (a reconcile cycle gives way to an update); never handled → create;
/// essence changed → update; first sight in this process → resume; otherwise nothing to
/// do (or, when an owned child changed or the resync period passed, reconcile).
public enum CauseDetector {
    public static func detect(
        object: JSON, state: ObjectState, finalizer: String, resumedInThisProcess: Bool, digest: (JSON) -> String
    ) -> Cause? {
        let meta = object["metadata"] ?? [:]
        if let ts = meta["deletionTimestamp"], !ts.isNull {
            let finalizers = meta["finalizers"]?.array?.compactMap(\.string) ?? []
            return finalizers.contains(finalizer) ? .delete : nil
        }
        let essence = Essence.of(object)
        if let cycle = state.cycle {
            switch cycle.purpose {
            case .create: return .create
            case .delete: return nil  // deletion was cancelled? nothing to continue without a deletionTimestamp
            case .resume: return .resume
            case .timer, .schedule: return nil
            case .reconcile:
                if state.wasHandled, let u = update(from: state, to: essence, digest: digest) { return u }
                return .reconcile
            case .update: return update(from: state, to: essence, digest: digest) ?? .update(old: state.handled.map(Essence.asObject), diff: [])
            }
        }
        if !state.wasHandled { return .create }
        if let u = update(from: state, to: essence, digest: digest) { return u }
        return resumedInThisProcess ? nil : .resume
    }

    static func update(from state: ObjectState, to essence: JSON, digest: (JSON) -> String) -> Cause? {
        if let handled = state.handled {
            let diff = DiffEntry.diff(handled, essence)
            return diff.isEmpty ? nil : .update(old: Essence.asObject(handled), diff: diff)
        }
        if let d = state.handledDigest {
            return d == digest(essence) ? nil : .update(old: nil, diff: [])
        }
        return nil
    }
}
