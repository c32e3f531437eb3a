import Arguments
import Platform
import Scenarios
import Spec

/// `yopf check DIR…`: validate operator files, and the scenario files beside them,
/// without a cluster.
///
/// Loads each operator as `yopf run` would (every field, template file, jq expression
/// and `${{ }}` compiled), then reads its `tests/*.yaml` as `yopf test` would (keys,
/// actions, objects, jq; handler and step names against the operator), and prints every
/// problem as `file:line:col: message`, one per line, or one `ok` line per clean file.
/// Exits 1 when anything is wrong.
struct CheckCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "check",
            abstract: "Validate operator files and their scenario files: fields, templates, jq expressions.",
            discussion: """
                Each path is an operator file, a folder holding operator.yaml, a folder whose \
                subfolders hold one, or a scenario file (in a tests/ folder). An operator's \
                tests/*.yaml are checked with it. Problems are printed as file:line:col: message.
                """,
            arguments: [
                .arguments(\.paths, "paths", required: true, help: "Operator folders or files, or scenario files."),
            ])
    }

    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one operator folder or file") }
    }

    func run() throws {
        // A file in a tests/ folder is a scenario file; the rest name operators.
        let isScenario = { (p: String) in !Files.isDirectory(p) && Files.directory(of: p).split(separator: "/").last == "tests" }
        let (files, problems) = OperatorLoader.operatorFiles(for: paths.filter { !isScenario($0) })
        var errors = problems.count
        for problem in problems { print(problem) }
        var scenarioFiles: [(file: String, operator: LoadedOperator?)] = paths.filter(isScenario).map { ($0, nil) }
        for file in files {
            let result = OperatorLoader.loadFile(file)
            errors += result.diagnostics.count
            for line in result.reportLines { print(line) }
            scenarioFiles += ScenarioFiles.beside(operatorFile: file).map { ($0, result.loaded) }
        }
        for (file, loaded) in scenarioFiles {
            var (scenarios, diagnostics) = ScenarioParser.parse(file: file)
            var target = loaded
            if target == nil, let first = scenarios.first {
                let (ops, _) = OperatorLoader.load(paths: [first.operatorPath])
                target = ops.first
            }
            if let target {
                diagnostics += scenarios.flatMap { ScenarioParser.validate($0, against: target) }
            }
            errors += diagnostics.count
            for d in diagnostics.sorted() { print(d) }
            if diagnostics.isEmpty {
                let steps = scenarios.reduce(0) { $0 + $1.steps.count }
                print("\(file): ok (\(scenarios.count) scenario\(scenarios.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s"))")
            }
        }
        if errors > 0 {
            print("\(errors) problem\(errors == 1 ? "" : "s") found")
            throw ExitCode(1)
        }
    }
}
