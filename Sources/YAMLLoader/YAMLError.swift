/// A YAML file that cannot be read or loaded, with the place to look at.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition
    public var message: String

    public init(file: String, position: SourcePosition, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    /// `file:line:column: message`, the form editors and `yopf check` understand.
    public var description: String { "\(file):\(position.line):\(position.column): \(message)" }
}
