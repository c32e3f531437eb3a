/// `list`: read objects of a kind into `$steps.<name>.items`.
public struct ListAction: Sendable {
    /// `name` is always nil here.
    public var target: ObjectTarget
    /// A label selector object (`matchLabels`, `matchExpressions`), values may be templates;
    /// render it and read it with `LabelSelector(json:)`.
    public var selector: TemplateValue?

    public init(target: ObjectTarget, selector: TemplateValue? = nil) {
        self.target = target
        self.selector = selector
    }
}
