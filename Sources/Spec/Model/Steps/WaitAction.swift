/// `wait`: poll/watch an object until a condition holds (bounded by the step's `timeout`).
public struct WaitAction: Sendable {
    public enum Until: Sendable {
        /// `condition: Ready`: `status.conditions[type == name].status == "True"`.
        case condition(String)
        /// `until:` (jq, input the object): true ends the wait.
        case predicate(Expression)
    }

    public var target: ObjectTarget
    public var until: Until

    public init(target: ObjectTarget, until: Until) {
        self.target = target
        self.until = until
    }
}
