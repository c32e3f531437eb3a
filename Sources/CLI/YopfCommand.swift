import ArgumentParser

/// The `yopf` command line. Each subcommand lives in its own file.
public struct YopfCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "yopf",
        abstract: "Run Kubernetes operators written as YAML handler files with jq expressions.",
        version: YopfVersion.current,
        subcommands: [
            VersionCommand.self,
            RunCommand.self,
            ManifestsCommand.self,
            CheckCommand.self,
            PlanCommand.self,
            TestCommand.self,
            DevClusterCommand.self,
        ]
    )

    public init() {}
}

public enum YopfVersion {
    public static let current = "0.1.0-dev"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of yopf.")

    func run() throws {
        print("yopf \(YopfVersion.current)")
    }
}
