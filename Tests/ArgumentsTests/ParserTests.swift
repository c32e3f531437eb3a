import Arguments
import Testing

/// What the parser accepts: each way of spelling an option, and what it rejects, with the
/// message each rejection prints.
@Suite struct ParserTests {
    func parse(_ words: [String]) throws(ValidationError) -> Sample {
        try Parser.parse(words, as: Sample.self)
    }

    /// The message of the ValidationError the words raise (nil when they parse).
    func failure(_ words: [String]) -> String? {
        do {
            _ = try parse(words)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func unnamedOptionsKeepTheirDefaults() throws {
        let s = try parse(["t", "--name", "n"])
        #expect(s.target == "t" && s.rest.isEmpty && s.name == "n")
        #expect(s.qps == nil && s.count == 3 && s.mode == "fast" && s.address == "")
        #expect(s.tags.isEmpty && !s.all && s.verbosity == 0 && s.tls == nil)
    }

    @Test func valuesAfterASpaceOrAnEqualsSign() throws {
        let spaced = try parse(["t", "--name", "n", "--count", "5", "--mode", "slow", "--qps", "2.5"])
        let joined = try parse(["t", "--name=n", "--count=5", "--mode=slow", "--qps=2.5"])
        for s in [spaced, joined] {
            #expect(s.name == "n" && s.count == 5 && s.mode == "slow" && s.qps == 2.5)
        }
        // Everything after the first "=" is the value, and it may be empty.
        let s = try parse(["t", "--name=a=b", "--address="])
        #expect(s.name == "a=b" && s.address == "")
    }

    @Test func shortNamesTakeTheNextWord() throws {
        let s = try parse(["-c", "7", "t", "--name", "n", "-t", "x"])
        #expect(s.count == 7 && s.tags == ["x"] && s.target == "t")
    }

    @Test func optionsAndArgumentsMayComeInAnyOrder() throws {
        let s = try parse(["--name", "n", "a", "-A", "b", "--tag", "x", "c"])
        #expect(s.target == "a" && s.rest == ["b", "c"] && s.all && s.tags == ["x"])
    }

    @Test func countersCountEachLetterAndEachWord() throws {
        #expect(try parse(["t", "--name", "n", "-v"]).verbosity == 1)
        #expect(try parse(["t", "--name", "n", "-vv"]).verbosity == 2)
        let s = try parse(["t", "--name", "n", "-v", "-vA", "-vv"])
        #expect(s.verbosity == 4 && s.all)
    }

    @Test func repeatableOptionsKeepEveryValueAndOthersTheLast() throws {
        let s = try parse(["t", "--name", "first", "-t", "a", "--tag", "b", "--tag=c", "--name", "last"])
        #expect(s.tags == ["a", "b", "c"])
        #expect(s.name == "last")
    }

    @Test func inversionsSetTrueOrFalseAndTheLastWins() throws {
        #expect(try parse(["t", "--name", "n", "--tls"]).tls == true)
        #expect(try parse(["t", "--name", "n", "--no-tls"]).tls == false)
        #expect(try parse(["t", "--name", "n", "--no-tls", "--tls"]).tls == true)
    }

    @Test func doubleDashEndsTheOptions() throws {
        let s = try parse(["--name", "n", "--", "-v", "--tag", "--"])
        #expect(s.target == "-v" && s.rest == ["--tag", "--"] && s.verbosity == 0 && s.tags.isEmpty)
    }

    @Test func negativeNumbersAndADashAloneAreValues() throws {
        let s = try parse(["--name", "n", "--qps", "-1", "-c", "-2", "-", "-5"])
        #expect(s.qps == -1 && s.count == -2)
        #expect(s.target == "-" && s.rest == ["-5"])
    }

    @Test func unknownOptionsAreRefusedWithASuggestionWhenOneIsNear() {
        #expect(failure(["t", "--name", "n", "--bogus"]) == "unknown option '--bogus'")
        #expect(failure(["t", "--name", "n", "--cuont", "1"]) == "unknown option '--cuont'; did you mean '--count'?")
        #expect(failure(["t", "--name", "n", "--no-all"])?.hasPrefix("unknown option '--no-all'") == true)
        #expect(failure(["t", "--name", "n", "-x"]) == "unknown option '-x'")
        #expect(failure(["t", "--name", "n", "-vx"]) == "unknown option '-x' (in '-vx')")
    }

    @Test func aMissingValueIsAnError() {
        #expect(failure(["t", "--name"]) == "missing value for '--name <name>'")
        #expect(failure(["t", "--name", "n", "--count", "--all"]) == "missing value for '--count <count>'")
        #expect(failure(["t", "--name", "n", "-t"]) == "missing value for '-t <tag>'")
    }

    @Test func aValueOfTheWrongTypeIsAnError() {
        #expect(failure(["t", "--name", "n", "--qps", "abc"]) == "--qps: 'abc' is not a number")
        #expect(failure(["t", "--name", "n", "--count", "1.5"]) == "--count: '1.5' is not a whole number")
        #expect(failure(["t", "--name", "n", "-c", "many"]) == "-c: 'many' is not a whole number")
        #expect(failure(["t", "--name", "n", "--count="]) == "--count: '' is not a whole number")
    }

    @Test func switchesTakeNoValue() {
        #expect(failure(["t", "--name", "n", "--all=yes"]) == "--all takes no value, but 'yes' was given")
        #expect(failure(["t", "--name", "n", "--tls=1"]) == "--tls takes no value, but '1' was given")
    }

    @Test func aShortOptionWithAValueStandsAlone() {
        #expect(failure(["t", "--name", "n", "-vt", "x"]) == "-t takes a value: give it apart, as -t <tag> (in '-vt')")
        #expect(failure(["t", "--name", "n", "-tx"]) == "-t takes a value: give it apart, as -t <tag> (in '-tx')")
    }

    @Test func requiredOptionsAndArgumentsMustBeGiven() {
        #expect(failure(["t"]) == "missing option '--name <name>'")
        #expect(failure(["--name", "n"]) == "missing argument '<target>'")
        // A missing argument is named before a missing option.
        #expect(failure([]) == "missing argument '<target>'")
    }

    @Test func extraArgumentsAreRefused() throws {
        #expect(try Parser.parse([], as: Single.self).path == nil)
        #expect(try Parser.parse(["p"], as: Single.self).path == "p")
        #expect(throws: ValidationError("unexpected argument 'q'")) { try Parser.parse(["p", "q"], as: Single.self) }
    }

    @Test func helpAndVersionAreFoundBeforeADoubleDash() {
        #expect(Parser.asksForHelp(["t", "-h"]))
        #expect(Parser.asksForHelp(["--bogus", "--help"]))
        #expect(!Parser.asksForHelp(["t", "--", "--help"]))
        #expect(!Parser.asksForHelp(["t", "--helpful"]))
        #expect(Parser.asksForVersion(["t", "--version"]))
        #expect(!Parser.asksForVersion(["--", "--version"]))
    }

    @Test func declarationMistakesAreListed() {
        #expect(Sample.spec.problems.isEmpty)
        #expect(Misdeclared.spec.problems == [
            "--same is declared twice (or is reserved)",
            "-h is declared twice (or is reserved)",
            "-long: not an option name (-x or --long-name)",
            "--: not an option name (-x or --long-name)",
            "--no-: not an option name (-x or --long-name)",
            "<many>: only the last argument can be variadic",
            "<one>: a required argument cannot follow an optional one",
        ])
    }
}
