/// The event `yopf plan --event` names: what happened to the object, as the runtime
/// would see it. Parsed from `create`, `update`, `delete`, `resume`, `reconcile`,
/// `timer:ID` and `schedule:ID`.
public enum PreviewEvent: Sendable, Equatable, CustomStringConvertible {
    case create, update, delete, resume, reconcile
    /// The timer handler with this id is due.
    case timer(String)
    /// The cron handler with this id is due.
    case schedule(String)

    /// The forms `--event` takes, for help and error texts.
    public static let forms = "create, update, delete, resume, reconcile, timer:ID or schedule:ID"

    public init?(_ text: String) {
        switch text {
        case "create": self = .create
        case "update": self = .update
        case "delete": self = .delete
        case "resume": self = .resume
        case "reconcile": self = .reconcile
        default:
            if text.hasPrefix("timer:"), text.count > 6 {
                self = .timer(String(text.dropFirst(6)))
            } else if text.hasPrefix("schedule:"), text.count > 9 {
                self = .schedule(String(text.dropFirst(9)))
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .create: return "create"
        case .update: return "update"
        case .delete: return "delete"
        case .resume: return "resume"
        case .reconcile: return "reconcile"
        case .timer(let id): return "timer:\(id)"
        case .schedule(let id): return "schedule:\(id)"
        }
    }
}
