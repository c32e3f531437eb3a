// What a command of a command line is, and the two ways it ends early. The declaration
// of its options is CommandSpec's; parsing is Parser's, help is HelpText's, and Program
// runs a tool of several commands. The `yopf` commands in Sources/CLI conform.

/// A command: its declaration (`spec`), a check of the values parsed into it (`validate`)
/// and its work (`run`). `init()` gives every property its default; the parser then sets
/// what the command line names, through the key paths of `spec`.
public protocol Command {
    init()
    static var spec: CommandSpec<Self> { get }
    /// Throws ValidationError for values that parse but are not usable (exit 64 with the usage).
    func validate() throws
    func run() async throws
}

extension Command {
    public func validate() throws {}
}

/// Ends the process with this code and no message: the command printed its own.
public struct ExitCode: Error, Equatable, Sendable {
    public var rawValue: Int32
    public init(_ code: Int32) { rawValue = code }
    public static let success = ExitCode(0)
    public static let failure = ExitCode(1)
    /// A command line that cannot be used (BSD's EX_USAGE, as swift-argument-parser used).
    public static let usage = ExitCode(64)
}

/// A command line that cannot be used: printed as `Error: MESSAGE` with the command's usage,
/// exit 64. The parser throws it for what it rejects; commands throw it from validate()
/// (and from run(), for a flag's value that turns out unusable only then).
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
