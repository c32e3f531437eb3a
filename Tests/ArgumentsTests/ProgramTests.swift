import Arguments
import Testing

/// What a tool of several commands does with its words: help, version, errors with their
/// exit codes and messages, and what a command's run() throws.
@Suite struct ProgramTests {
    /// The output and exit code of words that do not reach a command's run().
    func exit(_ words: [String]) -> (code: Int32, stdout: String, stderr: String)? {
        if case let .exit(code, stdout, stderr) = program.resolve(words) { return (code, stdout, stderr) }
        return nil
    }

    /// The exit code and stderr once the command has run.
    func run(_ words: [String]) async -> (code: Int32, stderr: String)? {
        guard case let .run(command, work) = program.resolve(words) else { return nil }
        do {
            try await work()
            return (0, "")
        } catch {
            return program.outcome(of: error, in: command)
        }
    }

    let sampleUsage = "Usage: tool sample [<options>] --name <name> <target> [<rest> ...]\nSee 'tool sample --help' for more information.\n"

    @Test func helpForTheToolAndForEachCommand() throws {
        let toolHelp = HelpText.help(for: program)
        for words in [[], ["--help"], ["-h"], ["help"]] {
            let r = try #require(exit(words))
            #expect(r.code == 0 && r.stdout == toolHelp && r.stderr == "")
        }
        let sampleHelp = HelpText.help(for: Sample.self, program: "tool")
        for words in [["help", "sample"], ["sample", "--help"], ["sample", "-h"], ["sample", "t", "--bogus", "-h"]] {
            let r = try #require(exit(words))
            #expect(r.code == 0 && r.stdout == sampleHelp && r.stderr == "")
        }
    }

    @Test func versionAtTheTopOrAfterACommand() throws {
        for words in [["--version"], ["sample", "--version"]] {
            let r = try #require(exit(words))
            #expect(r.code == 0 && r.stdout == "1.2.3\n")
        }
    }

    @Test func unknownCommandsExit64() throws {
        let commands = "the commands are sample, single, misdeclared"
        let toolUsage = "Usage: tool <subcommand>\nSee 'tool --help' for more information.\n"
        let cases: [([String], String)] = [
            (["frob"], "Error: unknown command 'frob'; \(commands)\n"),
            (["--frob"], "Error: unknown option '--frob'; \(commands)\n"),
            (["help", "frob"], "Error: unknown command 'frob'; \(commands)\n"),
            (["help", "sample", "more"], "Error: unexpected argument 'more' (help takes one command name)\n"),
        ]
        for (words, message) in cases {
            let r = try #require(exit(words))
            #expect(r.code == 64 && r.stdout == "")
            #expect(r.stderr == message + toolUsage)
        }
    }

    @Test func parseErrorsPrintTheMessageAndTheUsageAndExit64() throws {
        let r = try #require(exit(["sample", "t", "--name", "n", "--qps", "abc"]))
        #expect(r.code == 64 && r.stdout == "")
        #expect(r.stderr == "Error: --qps: 'abc' is not a number\n" + sampleUsage)
        let missing = try #require(exit(["sample", "t"]))
        #expect(missing.code == 64)
        #expect(missing.stderr == "Error: missing option '--name <name>'\n" + sampleUsage)
    }

    @Test func validationErrorsExit64() throws {
        let r = try #require(exit(["sample", "t", "--name", "n", "--count", "-1"]))
        #expect(r.code == 64)
        #expect(r.stderr == "Error: --count must be 0 or more, got -1\n" + sampleUsage)
    }

    @Test func whatRunThrowsSetsTheExitCode() async throws {
        let ok = try #require(await run(["sample", "t", "--name", "n"]))
        #expect(ok.code == 0 && ok.stderr == "")
        let exit3 = try #require(await run(["sample", "t", "--name", "n", "--mode", "exit-3"]))
        #expect(exit3.code == 3 && exit3.stderr == "")
        let exit0 = try #require(await run(["sample", "t", "--name", "n", "--mode", "exit-0"]))
        #expect(exit0.code == 0 && exit0.stderr == "")
        let late = try #require(await run(["sample", "t", "--name", "n", "--mode", "invalid-late"]))
        #expect(late.code == 64 && late.stderr == "Error: --mode: found too late\n" + sampleUsage)
        let other = try #require(await run(["sample", "t", "--name", "n", "--mode", "other"]))
        #expect(other.code == 1 && other.stderr == "Error: the work failed\n")
    }

    @Test func aMisdeclaredCommandIsRefusedNotRun() throws {
        let r = try #require(exit(["misdeclared"]))
        #expect(r.code == 70)
        #expect(r.stderr.hasPrefix("Error: tool misdeclared is declared wrongly (a bug): --same is declared twice"))
        #expect(program.commands.map(\.problems) == [[], [], Misdeclared.spec.problems])
    }
}
