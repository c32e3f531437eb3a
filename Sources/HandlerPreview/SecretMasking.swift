import JSONValue
import Lifecycle

/// `yopf plan --redact`: what a plan hides before it is shared. The runtime's `Redactor`
/// replaces the values found under secret-like keys of the resource (and of `--old`)
/// wherever they appear, in every form they travel in; beyond it, the values of the
/// `data` and `stringData` of every Secret in the plan become `***`, as `kubectl diff`
/// shows them.
enum SecretMasking {
    /// Every Secret inside `value` (at any depth) with its data values masked.
    static func masked(_ value: JSON) -> JSON {
        switch value {
        case .array(let items): return .array(items.map(masked))
        case .object(var o):
            let isSecret = o["kind"]?.string == "Secret" && (o["apiVersion"]?.string ?? "v1") == "v1"
            for (k, v) in o {
                if isSecret && (k == "data" || k == "stringData"), case .object(var data) = v {
                    for key in data.keys { data[key] = "***" }
                    o[k] = .object(data)
                } else {
                    o[k] = masked(v)
                }
            }
            return .object(o)
        default: return value
        }
    }

    /// A plan as it may be shared.
    static func redacted(_ plan: JSON, redactor: Redactor) -> JSON {
        redactor.redact(masked(plan))
    }
}
