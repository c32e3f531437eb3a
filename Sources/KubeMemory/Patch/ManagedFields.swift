import JSONValue
import Kube

/// Field ownership (`metadata.managedFields`) and server-side apply, as kube-apiserver
/// does them for the common cases: scalars, maps, associative lists, sets, atomic lists.
///
/// An applier owns exactly the fields of its last applied configuration. Applying a
/// value another manager owns with a different value is a conflict unless forced (then the
/// field changes hands); fields an applier stops applying are removed from the object when
/// no other manager owns them. Updates (create, update, patch) take the fields they add or
/// change from everyone else.
enum ManagedFields {
    /// The manager kube-apiserver charges with an object's fields when it is first applied
    /// to and has no managedFields yet.
    static let beforeFirstApply = "before-first-apply"

    /// Server-side apply of `config` to `live` (nil: the object does not exist yet).
    /// Returns the new object with its managedFields; returns `live` itself, unchanged, when
    /// the apply changes nothing (applying the same configuration twice).
    /// `lists` defaults to the table for the configuration's kind; pass a custom resource's
    /// schema semantics so that its `x-kubernetes-list-type` lists merge as declared.
    static func apply(
        config: JSON, to live: JSON?, manager: String, force: Bool, subresource: String?, now: String,
        lists: ListSemantics? = nil
    ) throws -> JSON {
        guard case .object = config else {
            throw PatchError.badRequest("error decoding YAML: the applied configuration must be an object, got \(config.typeName)")
        }
        let apiVersion = config["apiVersion"]?.string ?? live?["apiVersion"]?.string ?? ""
        let kind = GroupVersionKind(apiVersion: apiVersion, kind: config["kind"]?.string ?? live?["kind"]?.string ?? "")
        let builder = FieldSetBuilder(lists: lists ?? .forKind(kind))
        let applied = appliedConfiguration(config)
        try ApplyConfigurationCheck(lists: builder.lists, kind: kind).check(applied)
        let appliedFields = FieldSetBuilder.withoutSystemFields(builder.fields(of: applied))

        let liveObject = live.map(withoutManagedFields) ?? .emptyObject
        var entries = ManagedFieldsEntry.entries(of: live)
        if let live, entries.isEmpty, live.value(at: ["metadata", "managedFields"]) == nil {
            // Fields that predate field tracking belong to a stand-in manager, so a first
            // apply still conflicts with values it did not set.
            let existing = FieldSetBuilder.withoutSystemFields(builder.fields(of: liveObject))
            if !existing.isEmpty {
                entries.append(ManagedFieldsEntry(
                    manager: beforeFirstApply, operation: "Update", apiVersion: live["apiVersion"]?.string ?? apiVersion,
                    time: nil, subresource: nil, fields: existing))
            }
        }
        let originalEntries = entries
        let me = ManagedFieldsEntry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: now, subresource: subresource, fields: appliedFields)
        let myIndex = entries.firstIndex { $0.isSameOwner(as: me) }
        let previouslyApplied = myIndex.map { entries[$0].fields } ?? FieldSet()

        // Conflicts: applied leaves whose value would change and that someone else owns.
        var conflicts: [(manager: String, field: String, path: [String], entry: Int)] = []
        for path in appliedFields.paths where appliedFields.isLeaf(path) {
            let current = FieldPath.value(at: path, in: liveObject)
            guard current != FieldPath.value(at: path, in: applied) else { continue }
            for (index, entry) in entries.enumerated() where index != myIndex && entry.fields.contains(path) {
                conflicts.append((entry.ownerDescription, FieldPath.describe(path), path, index))
            }
        }
        if !conflicts.isEmpty {
            guard force else {
                throw ApplyConflict(conflicts: conflicts.sorted { ($0.manager, $0.field) < ($1.manager, $1.field) }
                    .map { (manager: $0.manager, field: $0.field) })
            }
            for conflict in conflicts { entries[conflict.entry].fields.remove(conflict.path) }
        }

        var merged = ApplyMerger(lists: builder.lists).merge(applied, into: liveObject, path: [])

        // Fields this applier applied before but no longer does go, unless someone else owns them.
        let dropped = previouslyApplied.subtracting(appliedFields)
        for path in dropped.paths {
            let ownedElsewhere = entries.enumerated().contains { index, entry in
                index != myIndex && entry.fields.containsAnything(under: path)
            }
            if !ownedElsewhere { merged = FieldPath.removing(path, from: merged) }
        }

        if let myIndex { entries[myIndex].fields = appliedFields } else { entries.append(me) }
        entries = entries.map { entry in
            var entry = entry
            entry.fields = entry.fields.retainingExisting(in: merged)
            return entry
        }.filter { !$0.fields.isEmpty || $0.isSameOwner(as: me) }

        let objectChanged = merged != liveObject
        if let live, !objectChanged, sameOwnership(entries, originalEntries) {
            return live
        }
        if let index = entries.firstIndex(where: { $0.isSameOwner(as: me) }) {
            let before = myIndex.map { originalEntries[$0] }
            if objectChanged || before?.fields != entries[index].fields || before == nil {
                entries[index].time = now
            }
            entries[index].apiVersion = apiVersion
        }
        return withManagedFields(merged, entries)
    }

    /// Records an update (create, update, patch) by `manager`: it takes ownership of the
    /// fields it added or changed, other managers lose those, ownership of removed fields
    /// ends, and entries left empty are dropped. `old` is nil on create.
    ///
    /// As in kube-apiserver, a request whose managedFields is `[{}]` resets them (the
    /// object is returned without any); an absent or empty list keeps the old entries; any
    /// other list the client sent replaces them.
    static func recordUpdate(old: JSON?, new: JSON, manager: String, subresource: String?, now: String) -> JSON {
        recordUpdate(old: old, new: new, manager: manager, subresource: subresource, now: now, lists: nil)
    }

    static func recordUpdate(old: JSON?, new: JSON, manager: String, subresource: String?, now: String, lists: ListSemantics?) -> JSON {
        let sent = new.value(at: ["metadata", "managedFields"])?.array
        if let sent, sent.count == 1, sent.first == .emptyObject {
            return withoutManagedFields(new)
        }
        var entries: [ManagedFieldsEntry]
        if let sent, !sent.isEmpty, sent != old?.value(at: ["metadata", "managedFields"])?.array {
            entries = sent.compactMap(ManagedFieldsEntry.init)
        } else {
            entries = ManagedFieldsEntry.entries(of: old)
        }
        let apiVersion = new["apiVersion"]?.string ?? old?["apiVersion"]?.string ?? ""
        let kind = GroupVersionKind(apiVersion: apiVersion, kind: new["kind"]?.string ?? "")
        let builder = FieldSetBuilder(lists: lists ?? .forKind(kind))
        let oldObject = old.map(withoutManagedFields)
        let newObject = withoutManagedFields(new)

        if let changed = builder.changes(from: oldObject, to: newObject).map(FieldSetBuilder.withoutSystemFields), !changed.isEmpty {
            let me = ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: apiVersion, time: now, subresource: subresource, fields: changed)
            for index in entries.indices where !entries[index].isSameOwner(as: me) {
                entries[index].fields = entries[index].fields.subtracting(changed)
            }
            if let index = entries.firstIndex(where: { $0.isSameOwner(as: me) }) {
                entries[index].fields = entries[index].fields.union(changed)
                entries[index].time = now
            } else {
                entries.append(me)
            }
        }
        entries = entries.map { entry in
            var entry = entry
            entry.fields = entry.fields.retainingExisting(in: newObject)
            return entry
        }.filter { !$0.fields.isEmpty }
        return withManagedFields(newObject, entries)
    }

    // MARK: Helpers

    /// The configuration as it merges: no `null`s (absent is what they mean in an applied
    /// configuration), no managedFields and no server-managed metadata except name and
    /// namespace.
    private static func appliedConfiguration(_ config: JSON) -> JSON {
        var result = withoutNulls(config)
        for name in FieldSetBuilder.systemMetadata where name != "name" && name != "namespace" {
            result.remove(at: ["metadata", name])
        }
        return result
    }

    private static func withoutNulls(_ value: JSON) -> JSON {
        switch value {
        case .object(let members):
            var result = JSONObject()
            for (key, member) in members where !member.isNull { result[key] = withoutNulls(member) }
            return .object(result)
        case .array(let items):
            return .array(items.map(withoutNulls))
        default:
            return value
        }
    }

    static func withoutManagedFields(_ object: JSON) -> JSON {
        var result = object
        if result.value(at: ["metadata", "managedFields"]) != nil { result.remove(at: ["metadata", "managedFields"]) }
        return result
    }

    private static func withManagedFields(_ object: JSON, _ entries: [ManagedFieldsEntry]) -> JSON {
        var result = object
        if entries.isEmpty {
            result.remove(at: ["metadata", "managedFields"])
        } else {
            result.set(.array(ManagedFieldsEntry.sorted(entries).map(\.json)), at: ["metadata", "managedFields"])
        }
        return result
    }

    /// Same entries owning the same fields, whatever their times.
    private static func sameOwnership(_ a: [ManagedFieldsEntry], _ b: [ManagedFieldsEntry]) -> Bool {
        guard a.count == b.count else { return false }
        return a.allSatisfy { entry in
            b.contains { $0.isSameOwner(as: entry) && $0.fields == entry.fields }
        }
    }
}

extension FieldSet {
    /// Whether `path` is in the set with nothing below it: a value that is owned whole.
    func isLeaf(_ path: [String]) -> Bool {
        var node = self
        for token in path {
            guard let next = node.children[token] else { return false }
            node = next
        }
        return node.isMember && node.children.isEmpty
    }
}
