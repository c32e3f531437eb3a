import Arguments
import Platform
import Scenarios
import Spec

/// `yopf test [DIR|FILE]…`: runs scenario files against the operator they sit beside, on
/// the in-process cluster and a virtual clock (no port, no network, no process). The
/// work is the Scenarios module's; this file finds the files, filters by `--run`, prints
/// the report, writes `--junit` and sets the exit code.
struct TestCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "test",
            abstract: "Run an operator's scenario files (tests/*.yaml) without a cluster, in virtual time.",
            discussion: """
                Each path is a scenario file, an operator folder (its tests/*.yaml), a tests/ folder, \
                or a folder of operator folders. A scenario creates objects, acts (create, update, \
                patch, delete, advance the clock, complete or fail a Job, answer commands in pods, \
                fail API calls, kill and restart the operator) and checks what must hold after each \
                step. A failure prints file:line:col, expected and found as a diff, and the step's \
                log. Exit code 0: every scenario passed; 1: a scenario failed or a file has problems. \
                The language is described in docs/testing.md.
                """,
            arguments: [
                .arguments(\.paths, "paths", required: false, help: "Scenario files or folders (default: the current folder)."),
            ],
            options: [
                .option(\.junit, "--junit", help: "Write a JUnit XML report to this file."),
                .option(\.only, "--run", help: "Run only the scenarios whose name is NAME or contains it."),
                .flag(\.verbose, "-v", "--verbose", help: "Print the trace: each step, and every log line of the runtime."),
            ])
    }

    var paths: [String] = []
    var junit: String?
    var only: String?
    var verbose = false

    func run() async throws {
        let started = ContinuousClock.now
        let (files, problems) = ScenarioFiles.find(paths.isEmpty ? ["."] : paths)
        var errors = problems.count
        for problem in problems { print(problem) }
        var results: [ScenarioResult] = []
        var scenarios: [Scenario] = []
        for file in files {
            let (found, diagnostics) = ScenarioParser.parse(file: file)
            for d in diagnostics { print(d) }
            errors += diagnostics.count
            if !diagnostics.isEmpty {
                // A file that cannot run is a failed case in the JUnit report too.
                let failures = diagnostics.map { ScenarioFailure(mark: SourceMark(file: $0.file, line: $0.line, column: $0.column), message: $0.message, log: []) }
                results.append(ScenarioResult(name: "(the file)", file: file, mark: failures[0].mark, failures: failures, stepsRun: 0,
                                              virtualTime: .zero, wallTime: .zero, log: []))
            }
            scenarios += found
        }
        if let only {
            scenarios = scenarios.filter { $0.name == only || $0.name.includes(only) }
            if scenarios.isEmpty && errors == 0 {
                Output.error("yopf test: no scenario is named \(only) or has it in its name")
                throw ExitCode(1)
            }
        }
        let verbose = self.verbose
        var trace: (@Sendable (String) -> Void)?
        if verbose { trace = { line in print(line) } }
        let runner = ScenarioRunner(trace: trace)
        for scenario in scenarios {
            if verbose { print("── \(scenario.file):\(scenario.mark.line): \(scenario.name)") }
            let result = await runner.run(scenario)
            results.append(result)
            print(ScenarioReport.line(result))
            // The step's log once, after the last of its failures.
            for (i, failure) in result.failures.enumerated() {
                print(ScenarioReport.failure(failure, withLog: i == result.failures.count - 1), terminator: "")
            }
        }
        let ran = results.filter { $0.name != "(the file)" }
        print(ScenarioReport.summary(ran, wall: ContinuousClock.now - started) + (errors > 0 ? "; \(errors) problem\(errors == 1 ? "" : "s") in files" : ""))
        if let junit {
            do {
                try Files.write(ScenarioReport.junit(results), to: junit)
            } catch {
                Output.error("yopf test: --junit \(junit): \(error.reason)")
                throw ExitCode(1)
            }
        }
        if errors > 0 || ran.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
