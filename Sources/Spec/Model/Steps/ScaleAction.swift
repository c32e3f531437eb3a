/// `scale`: set replicas through the scale subresource of any scalable kind.
public struct ScaleAction: Sendable {
    public var target: ObjectTarget
    /// An integer, or a template that renders to one.
    public var replicas: TemplateValue
    /// Wait until the ready replicas equal the wanted replicas.
    public var wait: Bool

    public init(target: ObjectTarget, replicas: TemplateValue, wait: Bool = false) {
        self.target = target
        self.replicas = replicas
        self.wait = wait
    }
}
