// The declaration of a command: its name, help texts, positional arguments and options,
// each bound to a property of the command by a key path. Declarations only: Parser reads
// them to parse, HelpText to print help. Each command in Sources/CLI declares one.

/// A command's name, help and what its command line holds.
public struct CommandSpec<C> {
    public var name: String
    /// One line: what the command does (shown in the tool's command list too).
    public var abstract: String
    /// Paragraphs (separated by "\n") for the command's help, wrapped when printed.
    public var discussion: String
    public var arguments: [ArgumentSpec<C>]
    public var options: [OptionSpec<C>]

    public init(name: String, abstract: String, discussion: String = "",
                arguments: [ArgumentSpec<C>] = [], options: [OptionSpec<C>] = []) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
    }

    /// Mistakes in the declaration itself (a name used twice, a malformed name, a required
    /// argument after a variadic one): empty for a usable spec. Program refuses to run a
    /// command with problems; tests check every command's.
    public var problems: [String] {
        var problems: [String] = []
        var seen: Set<String> = ["-h", "--help", "--version"]
        for option in options {
            if option.names.isEmpty { problems.append("an option has no name") }
            for name in option.spellings {
                if !OptionSpec<C>.isWellFormed(name) { problems.append("\(name): not an option name (-x or --long-name)") }
                if !seen.insert(name).inserted { problems.append("\(name) is declared twice (or is reserved)") }
            }
            if option.kind == .inversion && (option.short != nil || option.long == nil) {
                problems.append("\(option.label): an inversion has one long name and no short one")
            }
        }
        var optionalSeen = false
        for (i, argument) in arguments.enumerated() {
            if argument.isVariadic && i != arguments.count - 1 {
                problems.append("<\(argument.name)>: only the last argument can be variadic")
            }
            if argument.isRequired && optionalSeen {
                problems.append("<\(argument.name)>: a required argument cannot follow an optional one")
            }
            if !argument.isRequired { optionalSeen = true }
        }
        return problems
    }
}

/// One option: its names as typed (`-n`, `--namespace`), its kind, its help, and how it
/// stores into the command.
public struct OptionSpec<C> {
    public enum Kind: Equatable, Sendable {
        /// `--name VALUE` (or `--name=VALUE`); the last one given wins.
        case value
        /// `--name VALUE`, given any number of times; every value is kept.
        case repeating
        /// `--name`: sets true.
        case flag
        /// `-v`, `-vv`, `-v -v`: counts.
        case counter
        /// `--name` sets true, `--no-name` false; absent leaves the default (nil).
        case inversion
    }

    public let names: [String]
    public let kind: Kind
    /// Shown as `<valueName>` after the names; the long name by default.
    public let valueName: String
    public let help: String
    public let isRequired: Bool
    /// The default as help shows it, read from a fresh command; nil shows none.
    let defaultText: (C) -> String?
    /// Stores a value (value kinds), converting it; the String is the name as typed.
    let store: (inout C, String, String) throws(ValidationError) -> Void
    /// Sets (flag), counts (counter) or sets true/false (inversion).
    let toggle: (inout C, Bool) -> Void

    init(names: [String], kind: Kind, valueName: String?, help: String, isRequired: Bool = false,
         defaultText: @escaping (C) -> String? = { _ in nil },
         store: @escaping (inout C, String, String) throws(ValidationError) -> Void = { _, _, _ in },
         toggle: @escaping (inout C, Bool) -> Void = { _, _ in }) {
        self.names = names
        self.kind = kind
        self.help = help
        self.isRequired = isRequired
        self.defaultText = defaultText
        self.store = store
        self.toggle = toggle
        let long = names.first { $0.hasPrefix("--") } ?? names.first ?? "value"
        self.valueName = valueName ?? String(long.drop { $0 == "-" })
    }

    public var long: String? { names.first { $0.hasPrefix("--") } }
    public var short: Character? {
        names.first { !$0.hasPrefix("--") && $0.count == 2 }.map { $0[$0.index(after: $0.startIndex)] }
    }
    /// Every spelling the parser accepts (an inversion's `--no-` form too).
    public var spellings: [String] {
        kind == .inversion ? names + names.map { "--no-" + $0.dropFirst(2) } : names
    }
    var takesValue: Bool { kind == .value || kind == .repeating }

    /// How help and errors name it: `-n, --namespace <namespace>`, `--tls/--no-tls`.
    public var label: String {
        if kind == .inversion, let long { return "\(long)/--no-\(long.dropFirst(2))" }
        let names = names.sorted { $0.count < $1.count }.joined(separator: ", ")
        return takesValue ? "\(names) <\(valueName)>" : names
    }

    static func isWellFormed(_ name: String) -> Bool {
        let chars = Array(name)
        if chars.count == 2 { return chars[0] == "-" && (chars[1].isLetter || chars[1].isNumber) }
        guard chars.count > 2, chars[0] == "-", chars[1] == "-", chars[2] != "-", chars.last != "-" else { return false }
        return chars.dropFirst(2).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
    }
}

extension OptionSpec {
    /// `--name VALUE` into a property; its initial value is the default, shown in help
    /// unless empty. With `required`, the option must be given (and no default is shown).
    public static func option<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, T>, _ names: String..., valueName: String? = nil,
                                                required: Bool = false, help: String) -> Self {
        Self(names: names, kind: .value, valueName: valueName, help: help, isRequired: required,
             defaultText: { command in
                 let text = command[keyPath: keyPath].argumentText
                 return required || text.isEmpty ? nil : text
             },
             store: { (command: inout C, text: String, name: String) throws(ValidationError) in
                 command[keyPath: keyPath] = try T.converting(text, for: name)
             })
    }

    /// `--name VALUE` into an optional property: nil when not given.
    public static func option<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, T?>, _ names: String..., valueName: String? = nil,
                                                help: String) -> Self {
        Self(names: names, kind: .value, valueName: valueName, help: help,
             store: { (command: inout C, text: String, name: String) throws(ValidationError) in
                 command[keyPath: keyPath] = try T.converting(text, for: name)
             })
    }

    /// `--name VALUE`, repeatable: each value is appended to the property.
    public static func option<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, [T]>, _ names: String..., valueName: String? = nil,
                                                help: String) -> Self {
        Self(names: names, kind: .repeating, valueName: valueName, help: help,
             store: { (command: inout C, text: String, name: String) throws(ValidationError) in
                 command[keyPath: keyPath].append(try T.converting(text, for: name))
             })
    }

    /// `--name`: sets the property true.
    public static func flag(_ keyPath: WritableKeyPath<C, Bool>, _ names: String..., help: String) -> Self {
        Self(names: names, kind: .flag, valueName: nil, help: help, toggle: { command, _ in command[keyPath: keyPath] = true })
    }

    /// `-v`: adds one to the property each time (`-vv` is two).
    public static func counter(_ keyPath: WritableKeyPath<C, Int>, _ names: String..., help: String) -> Self {
        Self(names: names, kind: .counter, valueName: nil, help: help, toggle: { command, _ in command[keyPath: keyPath] += 1 })
    }

    /// `--name` / `--no-name`: true or false; nil when neither is given.
    public static func inversion(_ keyPath: WritableKeyPath<C, Bool?>, _ long: String, help: String) -> Self {
        Self(names: [long], kind: .inversion, valueName: nil, help: help, toggle: { command, on in command[keyPath: keyPath] = on })
    }
}

/// One positional argument: single (`<path>`) or variadic (`<paths> ...`, the last one).
public struct ArgumentSpec<C> {
    public let name: String
    public let help: String
    public let isVariadic: Bool
    public let isRequired: Bool
    let store: (inout C, String) throws(ValidationError) -> Void

    /// `<name>` as help shows it, `<name> ...` when variadic.
    public var label: String { "<\(name)>" + (isVariadic ? " ..." : "") }

    /// A required single argument.
    public static func argument<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, T>, _ name: String, help: String) -> Self {
        Self(name: name, help: help, isVariadic: false, isRequired: true,
             store: { (command: inout C, text: String) throws(ValidationError) in
                 command[keyPath: keyPath] = try T.converting(text, for: "<\(name)>")
             })
    }

    /// An optional single argument: nil when not given.
    public static func argument<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, T?>, _ name: String, help: String) -> Self {
        Self(name: name, help: help, isVariadic: false, isRequired: false,
             store: { (command: inout C, text: String) throws(ValidationError) in
                 command[keyPath: keyPath] = try T.converting(text, for: "<\(name)>")
             })
    }

    /// The remaining arguments; `required`: at least one.
    public static func arguments<T: ArgumentValue>(_ keyPath: WritableKeyPath<C, [T]>, _ name: String, required: Bool, help: String) -> Self {
        Self(name: name, help: help, isVariadic: true, isRequired: required,
             store: { (command: inout C, text: String) throws(ValidationError) in
                 command[keyPath: keyPath].append(try T.converting(text, for: "<\(name)>"))
             })
    }
}
