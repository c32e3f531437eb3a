/// `status`: merge an object into the watched object's `status`.
public struct StatusAction: Sendable {
    /// An object; values may be templates.
    public var patch: TemplateValue

    public init(patch: TemplateValue) { self.patch = patch }
}
