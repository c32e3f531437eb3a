import JSONValue
import Kube

/// Rejects applied configurations whose associative lists cannot be merged: an item
/// without its key fields, or two items with the same key. kube-apiserver refuses these
/// before any merging ("failed to create typed patch object").
struct ApplyConfigurationCheck {
    let lists: ListSemantics
    let kind: GroupVersionKind

    func check(_ config: JSON) throws(PatchError) {
        try check(config, path: [], printed: "")
        // A field the custom resource's schema does not declare cannot be typed: kube
        // refuses the apply whatever fieldValidation says (it answers 500; 400 here, as
        // kubernetes/kubernetes#139253 asks).
        if let unknown = lists.schema?.unknownFields(config), !unknown.isEmpty {
            let errors = unknown.map { ".\($0): field not declared in schema" }
            var failure = failure(errors.count == 1 ? errors[0] : "errors:\n  " + errors.joined(separator: "\n  "))
            failure.code = 400
            throw failure
        }
    }

    private func check(_ value: JSON, path: [String], printed: String) throws(PatchError) {
        switch value {
        case .object(let members):
            for (name, member) in members {
                try check(member, path: path + [name], printed: printed + "." + name)
            }
        case .array(let items):
            guard case .map(let keys) = lists.listType(at: path) else { return }
            var seen: Set<String> = []
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item else {
                    throw failure("\(printed): element \(index): associative list with keys has an element that is not an object")
                }
                for key in keys where fields[key] == nil || fields[key]?.isNull == true {
                    throw failure("\(printed): element \(index): associative list with keys has an element that omits key field \"\(key)\" (and doesn't have default value)")
                }
                guard let token = FieldPath.key(fields, keys: keys) else { continue }
                if !seen.insert(token).inserted {
                    throw failure("\(printed): duplicate entries for key \(FieldPath.describe([token]))")
                }
                try check(item, path: path, printed: printed + FieldPath.describe([token]))
            }
        default:
            return
        }
    }

    private func failure(_ detail: String) -> PatchError {
        // Go prints a GroupVersionKind as `apps/v1, Kind=Deployment`, `/v1, Kind=ConfigMap`.
        PatchError(message: "failed to create typed patch object (\(kind.group)/\(kind.version), Kind=\(kind.kind)): \(detail)")
    }
}
