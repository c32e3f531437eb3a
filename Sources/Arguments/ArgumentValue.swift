// The types an option or argument's text converts to: String, Int, Double. The parser
// calls `init(argument:)`; help shows a default through `argumentText`. Other modules
// may conform their own types.

public protocol ArgumentValue {
    /// The value the text spells, or nil when it spells none.
    init?(argument: String)
    /// What a value must be, for the error: "'abc' is not a number".
    static var expectation: String { get }
    /// How a default shows in help ("" shows none).
    var argumentText: String { get }
}

extension String: ArgumentValue {
    public init?(argument: String) { self = argument }
    public static var expectation: String { "text" }
    public var argumentText: String { self }
}

extension Int: ArgumentValue {
    public init?(argument: String) { self.init(argument) }
    public static var expectation: String { "a whole number" }
    public var argumentText: String { String(self) }
}

extension Double: ArgumentValue {
    public init?(argument: String) { self.init(argument) }
    public static var expectation: String { "a number" }
    public var argumentText: String { "\(self)" }
}

extension ArgumentValue {
    /// The value of `text`, given for `name` (`--qps`, `-n`, `<path>`).
    static func converting(_ text: String, for name: String) throws(ValidationError) -> Self {
        guard let value = Self(argument: text) else {
            throw ValidationError("\(name): '\(text)' is not \(expectation)")
        }
        return value
    }
}
