import Platform

// A tool of several commands (`yopf run …`, `yopf help run`, `yopf --version`): picks the
// command, answers help and version, parses, validates, runs, and turns what a command
// throws into an exit code and message. `resolve` and `outcome` decide without printing
// (tests call them); `main` prints and returns the exit code. The yopf entry point calls
// `main` through YopfCommand.

public struct Program {
    public var name: String
    public var abstract: String
    public var version: String
    public var commands: [Subcommand]

    public init(name: String, abstract: String, version: String, commands: [Subcommand]) {
        self.name = name
        self.abstract = abstract
        self.version = version
        self.commands = commands
    }

    /// What the words lead to: output and an exit code, or a parsed command to run.
    public enum Step {
        case exit(Int32, stdout: String, stderr: String)
        case run(Subcommand, () async throws -> Void)
    }

    public var usage: String { "\(name) <subcommand>" }

    /// What the words (after the program's name) ask for. Never throws: a usage error is
    /// an `.exit` with code 64.
    public func resolve(_ words: [String]) -> Step {
        guard let first = words.first else { return .exit(0, stdout: HelpText.help(for: self), stderr: "") }
        switch first {
        case "-h", "--help":
            return .exit(0, stdout: HelpText.help(for: self), stderr: "")
        case "--version":
            return .exit(0, stdout: version + "\n", stderr: "")
        case "help":
            let rest = words.dropFirst()
            guard let wanted = rest.first else { return .exit(0, stdout: HelpText.help(for: self), stderr: "") }
            guard let command = command(named: wanted) else { return unknown(wanted) }
            if let extra = rest.dropFirst().first {
                return rootError("unexpected argument '\(extra)' (help takes one command name)")
            }
            return .exit(0, stdout: command.help(name), stderr: "")
        default:
            guard let command = command(named: first) else { return unknown(first) }
            let rest = Array(words.dropFirst())
            if Parser.asksForHelp(rest) { return .exit(0, stdout: command.help(name), stderr: "") }
            if Parser.asksForVersion(rest) { return .exit(0, stdout: version + "\n", stderr: "") }
            if !command.problems.isEmpty {
                return .exit(70, stdout: "", stderr: "Error: \(name) \(command.name) is declared wrongly (a bug): \(command.problems.joined(separator: "; "))\n")
            }
            do {
                return .run(command, try command.prepare(rest))
            } catch {
                let (code, stderr) = outcome(of: error, in: command)
                return .exit(code, stdout: "", stderr: stderr)
            }
        }
    }

    /// What an error from parsing, validate() or run() means: ExitCode its code, quietly;
    /// ValidationError the message with the usage, 64; anything else `Error: …`, 1.
    public func outcome(of error: any Error, in command: Subcommand) -> (code: Int32, stderr: String) {
        switch error {
        case let exit as ExitCode:
            return (exit.rawValue, "")
        case let invalid as ValidationError:
            return (ExitCode.usage.rawValue, HelpText.usageError(invalid.message, usage: command.usage(name), helpCommand: "\(name) \(command.name)"))
        default:
            return (ExitCode.failure.rawValue, "Error: \(error)\n")
        }
    }

    /// Resolves, prints, runs; returns the exit code.
    public func main(_ words: [String]) async -> Int32 {
        switch resolve(words) {
        case let .exit(code, stdout, stderr):
            if !stdout.isEmpty { print(stdout, terminator: "") }
            if !stderr.isEmpty { Output.error(String(stderr.dropLast())) }
            return code
        case let .run(command, work):
            do {
                try await work()
                return 0
            } catch {
                let (code, stderr) = outcome(of: error, in: command)
                if !stderr.isEmpty { Output.error(String(stderr.dropLast())) }
                return code
            }
        }
    }

    func command(named name: String) -> Subcommand? {
        commands.first { $0.name == name }
    }

    func unknown(_ word: String) -> Step {
        let what = word.hasPrefix("-") ? "unknown option '\(word)'" : "unknown command '\(word)'"
        return rootError("\(what); the commands are \(commands.map(\.name).joined(separator: ", "))")
    }

    func rootError(_ message: String) -> Step {
        .exit(ExitCode.usage.rawValue, stdout: "", stderr: HelpText.usageError(message, usage: usage, helpCommand: name))
    }
}

/// A command of a Program, its type erased: its name, help, and how to parse and run it.
public struct Subcommand {
    public let name: String
    public let abstract: String
    /// Mistakes in the command's declaration (CommandSpec.problems): empty when usable.
    public let problems: [String]
    /// The command's help, given the program's name.
    public let help: (String) -> String
    /// The command's usage line, given the program's name.
    public let usage: (String) -> String
    /// Parses and validates the words; returns the command's run.
    let prepare: ([String]) throws -> () async throws -> Void

    public static func command<C: Command>(_ type: C.Type) -> Subcommand {
        let spec = C.spec
        return Subcommand(
            name: spec.name, abstract: spec.abstract, problems: spec.problems,
            help: { HelpText.help(for: C.self, program: $0) },
            usage: { HelpText.usage(for: C.self, program: $0) },
            prepare: { words in
                let command = try Parser.parse(words, as: C.self)
                try command.validate()
                return { try await command.run() }
            })
    }
}
