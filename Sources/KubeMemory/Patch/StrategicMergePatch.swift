import JSONValue
import Kube

/// Strategic merge patch (`application/strategic-merge-patch+json`), the patch kubectl's
/// client-side apply, `kubectl patch` and `kubectl edit` send for built-in kinds.
///
/// Maps merge recursively and `null` deletes a key, as in a JSON merge patch; lists follow
/// their type from `ListSemantics` (merged by key, merged as a set of scalars, or replaced).
/// The directives kubectl writes are honoured: `$patch: replace|merge|delete` in a map or
/// a list item, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
/// `$setElementOrder/<field>`.
enum StrategicMergePatch {
    static func apply(_ patch: JSON, to document: JSON, kind: GroupVersionKind) throws -> JSON {
        try apply(patch, to: document, lists: .forKind(kind))
    }

    static func apply(_ patch: JSON, to document: JSON, lists: ListSemantics) throws -> JSON {
        guard case .object(let patchObject) = patch else {
            throw PatchError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        let merger = Merger(lists: lists)
        return .object(try merger.mergeMap(document.object, patchObject, path: []) ?? [:])
    }

    private static let setElementOrderPrefix = "$setElementOrder/"
    private static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    private struct Merger {
        let lists: ListSemantics

        /// The merged map, or `nil` when the patch deletes it (`$patch: delete`).
        func mergeMap(_ original: JSONObject?, _ patch: JSONObject, path: [String]) throws(PatchError) -> JSONObject? {
            if let directive = patch["$patch"] {
                switch directive.string {
                case "delete":
                    return nil
                case "replace":
                    var rest = patch
                    rest.removeValue(forKey: "$patch")
                    return try mergeMap(nil, rest, path: path)
                case "merge":
                    break
                default:
                    throw PatchError(message: "Unknown patch type: \(directive.string ?? directive.serialized()) in map: \(JSON.object(patch).serialized())")
                }
            }
            var result = original ?? [:]
            var orders: [(field: String, order: [JSON])] = []
            var deletions: [(field: String, values: [JSON])] = []
            var retainKeys: [String]?
            for (key, value) in patch {
                if key == "$patch" { continue }
                if key == "$retainKeys" {
                    guard case .array(let names) = value else {
                        throw PatchError(message: "$retainKeys must be a list of field names at \(Self.describe(path))")
                    }
                    retainKeys = names.compactMap(\.string)
                    continue
                }
                if key.hasPrefix(StrategicMergePatch.setElementOrderPrefix) {
                    let field = String(key.dropFirst(StrategicMergePatch.setElementOrderPrefix.count))
                    guard case .array(let order) = value else {
                        throw PatchError(message: "\(key) must be a list at \(Self.describe(path))")
                    }
                    orders.append((field, order))
                    continue
                }
                if key.hasPrefix(StrategicMergePatch.deleteFromPrimitiveListPrefix) {
                    let field = String(key.dropFirst(StrategicMergePatch.deleteFromPrimitiveListPrefix.count))
                    guard case .array(let values) = value else {
                        throw PatchError(message: "\(key) must be a list at \(Self.describe(path))")
                    }
                    deletions.append((field, values))
                    continue
                }
                let childPath = path + [key]
                switch value {
                case .null:
                    result.removeValue(forKey: key)
                case .object(let child):
                    if let merged = try mergeMap(result[key]?.object, child, path: childPath) {
                        result[key] = .object(merged)
                    } else {
                        result.removeValue(forKey: key)
                    }
                case .array(let items):
                    result[key] = .array(try mergeList(result[key]?.array, items, path: childPath))
                default:
                    result[key] = value
                }
            }
            for (field, values) in deletions {
                guard case .array(let items) = result[field] else { continue }
                result[field] = .array(items.filter { !values.contains($0) })
            }
            for (field, order) in orders {
                guard case .array(let items) = result[field] else { continue }
                result[field] = .array(reorder(items, by: order, path: path + [field]))
            }
            if let retainKeys {
                for key in result.keys where !retainKeys.contains(key) {
                    result.removeValue(forKey: key)
                }
            }
            return result
        }

        func mergeList(_ original: [JSON]?, _ patch: [JSON], path: [String]) throws(PatchError) -> [JSON] {
            // `{"$patch": "replace"}` as an item: the other items are the whole new list.
            if patch.contains(where: { $0.object?["$patch"]?.string == "replace" && $0.object?.count == 1 }) {
                return try patch.filter { !($0.object?["$patch"]?.string == "replace" && $0.object?.count == 1) }
                    .map { item throws(PatchError) in try cleaned(item, path: path) }
            }
            switch lists.listType(at: path) {
            case .atomic:
                return try patch.map { item throws(PatchError) in try cleaned(item, path: path) }
            case .set:
                var result = original ?? []
                for item in patch where !result.contains(item) {
                    result.append(item)
                }
                return result
            case .map(let keys):
                guard let key = keys.first else { return patch }
                var result = original ?? []
                for item in patch {
                    guard case .object(let fields) = item else {
                        throw PatchError(message: "strategic merge patch: the items of \(Self.describe(path)) must be objects merged by \"\(key)\", got \(item.serialized())")
                    }
                    guard let keyValue = fields[key] else {
                        throw PatchError(message: "map: \(item.serialized()) does not contain declared merge key: \(key)")
                    }
                    let directive = fields["$patch"]?.string
                    if directive == "delete" {
                        result.removeAll { $0.object?[key] == keyValue }
                        continue
                    }
                    if let index = result.firstIndex(where: { $0.object?[key] == keyValue }) {
                        if let merged = try mergeMap(result[index].object, fields, path: path) {
                            result[index] = .object(merged)
                        } else {
                            result.remove(at: index)
                        }
                    } else if let merged = try mergeMap(nil, fields, path: path) {
                        result.append(.object(merged))
                    }
                }
                return result
            }
        }

        /// A patch value that becomes part of the result as is: its maps lose their
        /// directives and `null` members, as they would when merged into nothing.
        private func cleaned(_ value: JSON, path: [String]) throws(PatchError) -> JSON {
            guard case .object(let fields) = value else { return value }
            return .object(try mergeMap(nil, fields, path: path) ?? [:])
        }

        /// Puts the items `$setElementOrder` names in its order. Items it does not name
        /// (ones only the server has) keep their places; the named ones fill the remaining
        /// places in the given order.
        private func reorder(_ items: [JSON], by order: [JSON], path: [String]) -> [JSON] {
            let key: String?
            if case .map(let keys) = lists.listType(at: path) { key = keys.first } else { key = nil }
            func identity(_ item: JSON) -> JSON? { key.map { item.object?[$0] ?? .null } ?? item }
            var rank: [JSON: Int] = [:]
            for (index, entry) in order.enumerated() {
                let id = key.map { entry.object?[$0] ?? .null } ?? entry
                if rank[id] == nil { rank[id] = index }
            }
            let slots = items.indices.filter { identity(items[$0]).flatMap { rank[$0] } != nil }
            let sorted = slots.map { items[$0] }.enumerated().sorted { a, b in
                let ra = identity(a.element).flatMap { rank[$0] } ?? 0
                let rb = identity(b.element).flatMap { rank[$0] } ?? 0
                return ra != rb ? ra < rb : a.offset < b.offset
            }.map(\.element)
            var result = items
            for (slot, item) in zip(slots, sorted) { result[slot] = item }
            return result
        }

        static func describe(_ path: [String]) -> String { path.isEmpty ? "the root" : path.joined(separator: ".") }
    }
}
