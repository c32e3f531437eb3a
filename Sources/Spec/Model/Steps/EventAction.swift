/// `event`: post a Kubernetes Event about the watched object.
public struct EventAction: Sendable {
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var type: EventType
    /// A literal CamelCase reason, e.g. `BackupDone`.
    public var reason: String
    public var message: TemplateValue

    public init(type: EventType = .normal, reason: String, message: TemplateValue) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}
