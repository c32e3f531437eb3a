/// `delete`: delete one object; an object already gone counts as deleted.
public struct DeleteAction: Sendable {
    public var target: ObjectTarget
    /// Wait until the object is gone (finalizers done).
    public var wait: Bool

    public init(target: ObjectTarget, wait: Bool = false) {
        self.target = target
        self.wait = wait
    }
}
