import Arguments
import Testing

/// The help a command prints: the whole layout for one command with every kind of option,
/// usage lines, wrapping, and the tool's own help.
@Suite struct HelpTextTests {
    @Test func aCommandsHelpListsItsArgumentsOptionsAndDefaults() {
        #expect(HelpText.help(for: Sample.self, program: "tool") == """
            OVERVIEW: Exercise every kind of option and argument the parser knows, in one
            command of a test program.

            The first paragraph is long enough to be wrapped at eighty columns, so the test
            sees where the words break.

            A second paragraph.

            USAGE: tool sample [<options>] --name <name> <target> [<rest> ...]

            ARGUMENTS:
              <target>                What to work on.
              <rest> ...              More things.

            OPTIONS:
              --name <name>           A name that must be given.
              --qps <qps>             A rate (a number).
              -c, --count <count>     How many. (default: 3)
              --mode <mode>           fast, slow, or what run() should throw. (default:
                                      fast)
              --address <address>     Off when empty.
              -t, --tag <tag>         A tag (repeatable).
              -A, --all               Everything.
              -v                      More logging (-v, -vv).
              --tls/--no-tls          Serve https (default: decided later).
              -h, --help              Show help information.

            """)
    }

    @Test func usageSpellsOutWhatMustBeGiven() {
        #expect(HelpText.usage(for: Sample.self, program: "tool") == "tool sample [<options>] --name <name> <target> [<rest> ...]")
        #expect(HelpText.usage(for: Single.self, program: "tool") == "tool single [<path>]")
    }

    @Test func wrappingKeepsWordsWholeAndLinesWithinTheWidth() {
        #expect(HelpText.wrap("aa bb cc dd", width: 5) == ["aa bb", "cc dd"])
        #expect(HelpText.wrap("a verylongword b", width: 5) == ["a", "verylongword", "b"])
        #expect(HelpText.wrap("", width: 5) == [""])
        let text = String(repeating: "word ", count: 100)
        #expect(HelpText.wrap(text, width: 30).allSatisfy { $0.count <= 30 })
    }

    @Test func theToolsHelpListsItsCommands() {
        #expect(HelpText.help(for: program) == """
            OVERVIEW: A tool for the tests.

            USAGE: tool <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              sample                  Exercise every kind of option and argument the parser
                                      knows, in one command of a test program.
              single                  One optional argument.
              misdeclared             Wrong on purpose.

              See 'tool help <subcommand>' for detailed help.

            """)
    }
}
