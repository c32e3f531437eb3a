import Arguments

// Commands the parser tests parse: one with every kind of option and argument, and small
// ones for single positionals and declaration mistakes.

/// A command with every kind of option: required, optional, with defaults (shown and
/// empty), repeatable, flag, counter, inversion; a required and a variadic argument.
struct Sample: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "sample",
            abstract: "Exercise every kind of option and argument the parser knows, in one command of a test program.",
            discussion: "The first paragraph is long enough to be wrapped at eighty columns, so the test sees where the words break.\n\nA second paragraph.",
            arguments: [
                .argument(\.target, "target", help: "What to work on."),
                .arguments(\.rest, "rest", required: false, help: "More things."),
            ],
            options: [
                .option(\.name, "--name", required: true, help: "A name that must be given."),
                .option(\.qps, "--qps", help: "A rate (a number)."),
                .option(\.count, "-c", "--count", help: "How many."),
                .option(\.mode, "--mode", help: "fast, slow, or what run() should throw."),
                .option(\.address, "--address", help: "Off when empty."),
                .option(\.tags, "-t", "--tag", valueName: "tag", help: "A tag (repeatable)."),
                .flag(\.all, "-A", "--all", help: "Everything."),
                .counter(\.verbosity, "-v", help: "More logging (-v, -vv)."),
                .inversion(\.tls, "--tls", help: "Serve https (default: decided later)."),
            ])
    }

    var target = ""
    var rest: [String] = []
    var name = ""
    var qps: Double?
    var count = 3
    var mode = "fast"
    var address = ""
    var tags: [String] = []
    var all = false
    var verbosity = 0
    var tls: Bool?

    func validate() throws {
        if count < 0 { throw ValidationError("--count must be 0 or more, got \(count)") }
    }

    func run() async throws {
        switch mode {
        case "exit-3": throw ExitCode(3)
        case "exit-0": throw ExitCode.success
        case "invalid-late": throw ValidationError("--mode: found too late")
        case "other": throw SampleFailure(what: "the work failed")
        default: return
        }
    }
}

struct SampleFailure: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}

/// One optional single argument and nothing else.
struct Single: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(name: "single", abstract: "One optional argument.", arguments: [.argument(\.path, "path", help: "A path.")])
    }
    var path: String?
    func run() async throws {}
}

/// Everything a declaration can get wrong.
struct Misdeclared: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "misdeclared", abstract: "Wrong on purpose.",
            arguments: [
                .arguments(\.many, "many", required: false, help: "Variadic, but not last."),
                .argument(\.one, "one", help: "Required after an optional one."),
            ],
            options: [
                .flag(\.a, "--same", help: "First."),
                .flag(\.b, "--same", help: "Second."),
                .flag(\.a, "-h", help: "Reserved for help."),
                .flag(\.b, "-long", help: "Malformed."),
                .inversion(\.c, "--", help: "No name."),
            ])
    }
    var many: [String] = []
    var one = ""
    var a = false
    var b = false
    var c: Bool?
    func run() async throws {}
}

/// The tool the program tests run.
var program: Program {
    Program(name: "tool", abstract: "A tool for the tests.", version: "1.2.3",
            commands: [.command(Sample.self), .command(Single.self), .command(Misdeclared.self)])
}
