/// `patch`: a merge patch or a JSON patch on one object.
public struct PatchAction: Sendable {
    public enum Body: Sendable {
        /// RFC 7386 merge patch (an object).
        case merge(TemplateValue)
        /// RFC 6902 JSON patch (a list of operations).
        case json(TemplateValue)
    }

    /// Nil: the watched object itself.
    public var target: ObjectTarget?
    public var body: Body

    public init(target: ObjectTarget?, body: Body) {
        self.target = target
        self.body = body
    }
}
