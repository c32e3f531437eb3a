import JSONValue
import Kube
import Reactor
import Spec
import Steps
import Synchronization

/// Turns events of owned children (`spec.owns`) into "the owner's child changed", and
/// tells them from the operator's own writes.
///
/// - A child's owner is found from its owner reference to the watched kind, or from the
///   owner annotation yopf writes where no owner reference can reach.
/// - A change is the owner's business when it is not ours (`recordOwnWrites` is told the
///   version each of our writes left; an event at or below it is ours), and when it is
///   not the status alone (for kinds with `metadata.generation`, only a new generation
///   counts: a Deployment's status churns with every pod).
/// - What the first list of each watch finds is only remembered (a restarted operator
///   reconciles every object once anyway, through resume); a later relist that lacks a
///   child means it was deleted meanwhile.
/// - A flagged change is checked again when the owner's pass runs (`takeChanges`): our
///   own write's event can arrive before the step that made it has reported it.
///
/// Used by `OperatorRunner` (events) and `ObjectProcessor` (through `takeChanges`).
final class OwnedChildren: Sendable {
    struct ChildKey: Hashable, Sendable {
        var group: String
        var kind: String
        var namespace: String?
        var name: String
    }

    private struct Seen {
        var owner: ObjectKey
        var generation: Int?
        var version: Int?
    }

    private struct State {
        var seen: [ChildKey: Seen] = [:]
        var ownWrites: [ChildKey: Int] = [:]
        /// Per owner: children changed by others since its last pass, with the version
        /// of the change (Int.max: deleted).
        var flagged: [ObjectKey: [ChildKey: Int]] = [:]
        var listedWatches: Set<Int> = []
    }

    private let state = Mutex(State())
    let ownerGroup: String
    let ownerKind: String
    let ownerNamespaced: Bool

    init(ownerGroup: String, ownerKind: String, ownerNamespaced: Bool) {
        self.ownerGroup = ownerGroup
        self.ownerKind = ownerKind
        self.ownerNamespaced = ownerNamespaced
    }

    static func key(apiVersion: String, kind: String, namespace: String?, name: String) -> ChildKey {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return ChildKey(group: group, kind: kind, namespace: namespace, name: name)
    }

    static func key(_ child: JSON) -> ChildKey {
        key(apiVersion: child["apiVersion"]?.string ?? "", kind: child["kind"]?.string ?? "",
            namespace: child["metadata"]?["namespace"]?.string, name: child["metadata"]?["name"]?.string ?? "")
    }

    /// Our writes, as the steps that made them report them.
    func recordOwnWrites(_ children: [ChildRef]) {
        state.withLock { s in
            for c in children {
                guard let rv = c.resourceVersion.flatMap({ Int($0) }) else { continue }
                let k = Self.key(apiVersion: c.apiVersion, kind: c.kind, namespace: c.namespace, name: c.name)
                s.ownWrites[k] = max(s.ownWrites[k] ?? rv, rv)
            }
        }
    }

    /// A child exists in this state; returns its owner when the owner should reconcile.
    func upsert(_ child: JSON, watch: Int) -> ObjectKey? {
        guard let owner = Ownership.owner(of: child, ownerGroup: ownerGroup, ownerKind: ownerKind, ownerNamespaced: ownerNamespaced) else { return nil }
        let ownerKey = ObjectKey(namespace: owner.namespace, name: owner.name)
        let k = Self.key(child)
        let generation = child["metadata"]?["generation"]?.int
        let version = child["metadata"]?["resourceVersion"]?.string.flatMap { Int($0) }
        return state.withLock { s -> ObjectKey? in
            let previous = s.seen[k]
            s.seen[k] = Seen(owner: ownerKey, generation: generation, version: version)
            guard s.listedWatches.contains(watch) else { return nil }  // the first list
            if let version, let ours = s.ownWrites[k], version <= ours { return nil }
            if let previous {
                if let version, let old = previous.version, version <= old { return nil }  // replayed
                if let generation, generation == previous.generation { return nil }  // status only
            }
            s.flagged[ownerKey, default: [:]][k] = version ?? Int.max
            return ownerKey
        }
    }

    /// A child is gone; returns its owner.
    func deleted(_ child: JSON) -> ObjectKey? {
        let k = Self.key(child)
        return state.withLock { s -> ObjectKey? in
            let owner = s.seen.removeValue(forKey: k)?.owner
                ?? Ownership.owner(of: child, ownerGroup: ownerGroup, ownerKind: ownerKind, ownerNamespaced: ownerNamespaced)
                    .map { ObjectKey(namespace: $0.namespace, name: $0.name) }
            s.ownWrites[k] = nil
            guard let owner else { return nil }
            s.flagged[owner, default: [:]][k] = Int.max
            return owner
        }
    }

    /// A watch finished a list holding `present`; children it knew of and that are not
    /// there were deleted meanwhile. Returns their owners.
    func listed(watch: Int, group: String, kind: String, present: Set<ObjectKey>) -> [ObjectKey] {
        state.withLock { s -> [ObjectKey] in
            let first = s.listedWatches.insert(watch).inserted
            if first { return [] }
            var owners: Set<ObjectKey> = []
            for (k, seen) in s.seen where k.group == group && k.kind == kind && !present.contains(ObjectKey(namespace: k.namespace, name: k.name)) {
                s.seen[k] = nil
                s.flagged[seen.owner, default: [:]][k] = Int.max
                owners.insert(seen.owner)
            }
            return Array(owners)
        }
    }

    /// At the owner's pass: whether any flagged change is someone else's.
    func takeChanges(_ owner: ObjectKey) -> Bool {
        state.withLock { s in
            guard let changes = s.flagged.removeValue(forKey: owner) else { return false }
            return changes.contains { k, version in
                guard let ours = s.ownWrites[k] else { return true }
                return version > ours
            }
        }
    }

    /// The owner is gone.
    func forget(_ owner: ObjectKey) {
        state.withLock { s in
            s.flagged[owner] = nil
            let gone = s.seen.filter { $0.value.owner == owner }.map(\.key)
            for k in gone { s.seen[k] = nil; s.ownWrites[k] = nil }
        }
    }
}
