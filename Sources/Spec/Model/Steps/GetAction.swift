/// `get`: read one object into `$steps.<name>.object`.
public struct GetAction: Sendable {
    public var target: ObjectTarget
    /// A missing object gives `object: null` instead of failing the step.
    public var optional: Bool

    public init(target: ObjectTarget, optional: Bool = false) {
        self.target = target
        self.optional = optional
    }
}
