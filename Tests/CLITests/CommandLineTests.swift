import Arguments
@testable import CLI
import Foundation
import JSONValue
import Manifests
import Spec
import TestSupport
import Testing

/// yopf's command line as declared: every command's options parse into the values the
/// commands use, the help shows them with their defaults, and the flags the docs show
/// exist. The parser itself is tested in ArgumentsTests.
@Suite struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The options each command accepts, as typed (with `-h`, `--help` and `--version`).
    static let spellings: [String: Set<String>] = {
        func of<C: Command>(_: C.Type) -> (String, Set<String>) {
            (C.spec.name, Set(C.spec.options.flatMap(\.spellings) + ["-h", "--help", "--version"]))
        }
        return Dictionary(uniqueKeysWithValues: [
            of(VersionCommand.self), of(RunCommand.self), of(ManifestsCommand.self), of(CheckCommand.self),
            of(PlanCommand.self), of(TestCommand.self), of(DevClusterCommand.self),
        ])
    }()

    @Test func everyCommandIsDeclaredWell() {
        let program = YopfCommand.program
        #expect(program.commands.map(\.name) == ["version", "run", "manifests", "check", "plan", "test", "dev-cluster"])
        for command in program.commands {
            #expect(command.problems.isEmpty, "\(command.name): \(command.problems)")
        }
    }

    @Test func runTakesRepeatedNamespacesCountedVerbosityAndSwitches() throws {
        let run = try Parser.parse(["handlers/certificates", "-n", "a", "-n", "b", "-vv", "--embedded"], as: RunCommand.self)
        #expect(run.paths == ["handlers/certificates"])
        #expect(run.namespaces == ["a", "b"] && run.verbosity == 2 && run.useEmbedded)
        #expect(!run.allNamespaces && run.kubeconfig == nil && run.qps == nil && run.burst == nil)
        let more = try Parser.parse(["a", "b", "-A", "--qps=0", "--burst", "5", "--dev-apply", "x.yaml", "--dev-apply", "y.yaml",
                                     "--leader-elect", "--leader-elect-id", "me", "--shutdown-grace", "3"], as: RunCommand.self)
        #expect(more.paths == ["a", "b"] && more.allNamespaces && more.qps == 0 && more.burst == 5)
        #expect(more.devApply == ["x.yaml", "y.yaml"] && more.leaderElect && more.leaseIdentity == "me" && more.shutdownGrace == 3)
    }

    @Test func theDefaultsAreTheDocumentedOnes() throws {
        let run = try Parser.parse(["op"], as: RunCommand.self)
        #expect(run.concurrency == 16 && run.logFormat == "text" && run.devListen == "127.0.0.1:0")
        #expect(run.devKubeconfig == "yopf-dev.kubeconfig" && run.devExec == "scripted" && run.healthAddr == "" && run.metricsAddr == "")
        #expect(run.leaseDuration == "15s" && run.renewDeadline == "10s" && run.retryPeriod == "2s" && run.shutdownGrace == 25)
        let manifests = try Parser.parse(["op", "--image", "img"], as: ManifestsCommand.self)
        #expect(manifests.image == "img" && manifests.namespace == "yopf-system" && manifests.replicas == 2 && !manifests.noLeaderElect)
        let dev = try Parser.parse([], as: DevClusterCommand.self)
        #expect(dev.listen == "127.0.0.1:8080" && dev.watchHistory == 10_000 && dev.exec == "scripted")
        #expect(dev.authorization == "always-allow" && dev.tls == nil && !dev.verbose)
        #expect(try Parser.parse(["--no-tls"], as: DevClusterCommand.self).tls == false)
        #expect(try Parser.parse(["--exec=local", "--tls"], as: DevClusterCommand.self).tls == true)
        let test = try Parser.parse(["-v", "--run", "rotate"], as: TestCommand.self)
        #expect(test.paths.isEmpty && test.verbose && test.only == "rotate" && test.junit == nil)
        let plan = try Parser.parse(["handlers/mysql", "--object", "cr.yaml", "--cluster", "--redact"], as: PlanCommand.self)
        #expect(plan.path == "handlers/mysql" && plan.object == "cr.yaml" && plan.cluster && plan.redact && plan.old == nil)
    }

    @Test func requiredValuesAreRequired() {
        #expect(throws: ValidationError("missing argument '<paths> ...'")) { try Parser.parse([], as: RunCommand.self) }
        #expect(throws: ValidationError("missing option '--image <image>'")) { try Parser.parse(["op"], as: ManifestsCommand.self) }
        #expect(throws: ValidationError("missing argument '<path>'")) { try Parser.parse(["--object", "o"], as: PlanCommand.self) }
        #expect(throws: ValidationError("missing argument '<paths> ...'")) { try Parser.parse([], as: CheckCommand.self) }
    }

    /// What `yopf manifests` writes into the Deployment is a `yopf run` command line that
    /// parses and validates, with the values meant.
    @Test func theGeneratedDeploymentRunsAValidCommandLine() throws {
        let (operators, diagnostics) = OperatorLoader.load(paths: [Self.root + "/handlers/mysql"])
        #expect(diagnostics.isEmpty)
        for leaderElection in [true, false] {
            let manifests = DeploymentManifests(operators: operators, options: .init(image: "img", namespace: "ops", leaderElection: leaderElection))
            let deployment = try #require(manifests.documents.first { $0["kind"] == "Deployment" })
            let container = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?.array?.first)
            let args = (container["args"]?.array ?? []).compactMap { $0.string }
            guard case .run = YopfCommand.program.resolve(args) else {
                Issue.record("\(args) is not a command line yopf runs")
                continue
            }
            #expect(args.first == "run")
            let run = try Parser.parse(Array(args.dropFirst()), as: RunCommand.self)
            #expect(run.paths == [DeploymentManifests.operatorPath] && run.healthAddr == ":8081" && run.metricsAddr == ":8080" && run.logFormat == "json")
            #expect(run.leaderElect == leaderElection && run.leaseNamespace == (leaderElection ? "ops" : nil))
        }
    }

    @Test func helpShowsEachOptionWithItsDefault() throws {
        guard case let .exit(code, help, _) = YopfCommand.program.resolve(["run", "--help"]) else {
            Issue.record("run --help did not print help")
            return
        }
        #expect(code == 0)
        for option in RunCommand.spec.options {
            #expect(help.contains("  \(option.label)"), "\(option.label)")
        }
        for line in ["USAGE: yopf run [<options>] <paths> ...", "-n, --namespace <namespace>", "(default: 16)",
                     "(default: yopf-dev.kubeconfig)", "(default: 25)", "-v                      More logging (-v debug, -vv trace)."] {
            #expect(help.contains(line), "\(line)")
        }
        guard case let .exit(_, devHelp, _) = YopfCommand.program.resolve(["help", "dev-cluster"]) else {
            Issue.record("help dev-cluster did not print help")
            return
        }
        #expect(devHelp.contains("--tls/--no-tls") && devHelp.contains("(default: 127.0.0.1:8080)") && devHelp.contains("(default: 10000)"))
        #expect(devHelp.contains("kubeconfig written by --write-kubeconfig: kubectl --kubeconfig FILE get pods\n\nWith --tls"))
    }

    /// Each `yopf CMD …` the docs show (up to a pipe, backtick or end of line) uses only
    /// options CMD has.
    @Test func theDocsShowOnlyOptionsTheCommandsHave() throws {
        var files = ["README.md", "CHANGELOG.md"]
        for folder in ["docs", "examples"] {
            let found = FileManager.default.enumerator(atPath: "\(Self.root)/\(folder)")?.compactMap { $0 as? String } ?? []
            files += found.filter { $0.hasSuffix(".md") }.map { "\(folder)/\($0)" }
        }
        var checked = 0
        let command = try Regex(#"yopf (version|run|manifests|check|plan|test|dev-cluster)\b([^`|&;]*)"#)
        let option = try Regex(#"(?:^|[\s\[(])(--?(?:\[no-\])?[A-Za-z][A-Za-z-]*)"#)
        for file in files {
            let text = try String(contentsOfFile: "\(Self.root)/\(file)", encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for match in line.matches(of: command) {
                    let name = String(match.output[1].substring ?? "")
                    let rest = match.output[2].substring ?? ""
                    for o in rest.matches(of: option) {
                        let spelled = String(o.output[1].substring ?? "")
                        let names = spelled.contains("[no-]") ? [spelled.replacingOccurrences(of: "[no-]", with: ""), spelled.replacingOccurrences(of: "[no-]", with: "no-")] : [spelled]
                        for n in names {
                            checked += 1
                            #expect(Self.spellings[name]?.contains(n) == true, "\(file):\(number + 1): yopf \(name) has no option \(n)")
                        }
                    }
                }
            }
        }
        #expect(checked > 40, "the docs show \(checked) options; the scan finds too few")
    }
}

/// The binary's usage errors, help and version, as a shell sees them.
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct CommandLineProcessTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let p = try YopfProcess(arguments)
        defer { p.cleanUp() }
        guard await p.waitForExit() != nil else {
            p.process.terminate()
            throw ProcessTestError("yopf \(arguments.joined(separator: " ")) did not exit")
        }
        return (p.process.terminationStatus, p.stdout, p.stderr)
    }

    @Test func aBadValueExits64WithTheUsage() async throws {
        let r = try await run(["run", "x", "--qps", "abc"])
        #expect(r.status == 64 && r.stdout == "")
        #expect(r.stderr == "Error: --qps: 'abc' is not a number\nUsage: yopf run [<options>] <paths> ...\nSee 'yopf run --help' for more information.\n")
        let missing = try await run(["manifests", "handlers/mysql"])
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("Error: missing option '--image <image>'\nUsage: yopf manifests [<options>] --image <image> <paths> ...\n"))
        let invalid = try await run(["run", "x", "-n", "a", "-A"])
        #expect(invalid.status == 64)
        #expect(invalid.stderr.hasPrefix("Error: use either -n/--namespace or -A/--all-namespaces\n"))
    }

    @Test func helpAndVersion() async throws {
        let version = try await run(["--version"])
        #expect(version.status == 0 && version.stdout == YopfVersion.current + "\n")
        let command = try await run(["version"])
        #expect(command.status == 0 && command.stdout == "yopf \(YopfVersion.current)\n")
        let help = try await run(["help", "test"])
        #expect(help.status == 0 && help.stderr == "")
        #expect(help.stdout.hasPrefix("OVERVIEW: Run an operator's scenario files") && help.stdout.contains("  -v, --verbose "))
        let top = try await run([])
        #expect(top.status == 0 && top.stdout.contains("SUBCOMMANDS:\n  version "))
    }
}
