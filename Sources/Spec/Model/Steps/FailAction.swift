/// `fail`: end the handler with an error.
public struct FailAction: Sendable {
    public var message: TemplateValue
    /// Permanent: never retried. Temporary (default): retried per the handler's backoff.
    public var permanent: Bool

    public init(message: TemplateValue, permanent: Bool = false) {
        self.message = message
        self.permanent = permanent
    }
}
