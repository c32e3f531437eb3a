import ArgumentParser
import Spec

/// `yopf check DIR…`: validate operator files without a cluster.
///
/// Loads each operator as `yopf run` would (every field, template file, jq expression
/// and `${{ }}` compiled) and prints every problem as `file:line:col: message`, one per
/// line, or one `ok` line per clean operator. Exits 1 when anything is wrong.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate operator files: fields, template files, jq expressions and templates.",
        discussion: """
            Each path is an operator file, a folder holding operator.yaml, or a folder whose \
            subfolders hold one. Problems are printed as file:line:col: message.
            """
    )

    @Argument(help: "Operator folders or files.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one operator folder or file") }
    }

    func run() throws {
        let (files, problems) = OperatorLoader.operatorFiles(for: paths)
        var errors = problems.count
        for problem in problems { print(problem) }
        for file in files {
            let result = OperatorLoader.loadFile(file)
            errors += result.diagnostics.count
            for line in result.reportLines { print(line) }
        }
        if errors > 0 {
            print("\(errors) problem\(errors == 1 ? "" : "s") found")
            throw ExitCode(1)
        }
    }
}
