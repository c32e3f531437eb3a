import Arguments
import Glibc

/// The `yopf` command line: its commands (each in its own file), version and help.
/// Parsing and help are the Arguments module's; the yopf entry point calls `main`.
public enum YopfCommand {
    public static var program: Program {
        Program(
            name: "yopf",
            abstract: "Run Kubernetes operators written as YAML handler files with jq expressions.",
            version: YopfVersion.current,
            commands: [
                .command(VersionCommand.self),
                .command(RunCommand.self),
                .command(ManifestsCommand.self),
                .command(CheckCommand.self),
                .command(PlanCommand.self),
                .command(TestCommand.self),
                .command(DevClusterCommand.self),
            ])
    }

    /// Runs the command the process's arguments name and exits with its code.
    public static func main() async -> Never {
        exit(await program.main(Array(CommandLine.arguments.dropFirst())))
    }
}

public enum YopfVersion {
    public static let current = "0.1.0-dev"
}

struct VersionCommand: Command {
    static var spec: CommandSpec<Self> { CommandSpec(name: "version", abstract: "Print the version of yopf.") }

    func run() throws {
        print("yopf \(YopfVersion.current)")
    }
}
