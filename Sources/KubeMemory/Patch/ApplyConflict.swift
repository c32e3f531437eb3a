import JSONValue
import Kube

/// A server-side apply that would change fields other managers own (and was not forced).
///
/// `conflicts` pairs each owner with a field path as kube-apiserver prints them:
/// (`"kubectl-client-side-apply" using apps/v1`, `.spec.replicas`). `kubeError` is the 409
/// answer kubectl recognises and explains ("Please review the fields above…").
struct ApplyConflict: Error, Sendable, CustomStringConvertible {
    var conflicts: [(manager: String, field: String)]

    init(conflicts: [(manager: String, field: String)]) {
        self.conflicts = conflicts
    }

    /// `Apply failed with 1 conflict: conflict with "m" using v1: .data.key`, or for several,
    /// one group per manager with one `- path` line per field.
    var message: String {
        if conflicts.count == 1, let only = conflicts.first {
            return "Apply failed with 1 conflict: conflict with \(only.manager): \(only.field)"
        }
        var byManager: [String: [String]] = [:]
        for conflict in conflicts { byManager[conflict.manager, default: []].append(conflict.field) }
        var lines: [String] = []
        for manager in byManager.keys.sorted() {
            lines.append("conflicts with \(manager):")
            for field in byManager[manager] ?? [] { lines.append("- \(field)") }
        }
        return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
    }

    var description: String { message }

    /// The `Status` kube-apiserver answers with: 409 Conflict, one `FieldManagerConflict`
    /// cause per field.
    var kubeError: KubeError {
        let causes: [JSON] = conflicts.map {
            ["reason": "FieldManagerConflict", "message": .string("conflict with \($0.manager)"), "field": .string($0.field)]
        }
        return KubeError(code: 409, reason: "Conflict", message: message, details: ["causes": .array(causes)])
    }
}
