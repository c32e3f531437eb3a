/// A problem with what `yopf plan` was given (files, event, object): it says what is
/// wrong and what to do; the plan is not made.
public struct PreviewError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
