import Platform
import Testing

/// RE2 patterns (what CRD schemas carry) answered through glibc's POSIX regex: each
/// RE2 construct that POSIX spells differently, the patterns real CRDs use, and the
/// patterns it does not understand (nil, never a wrong answer).
@Suite struct PatternMatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let pattern: String
        let matching: [String]
        let notMatching: [String]
        var testDescription: String { pattern }
    }

    static let cases: [Case] = [
        // DNS-1123 labels and subdomains, as Kubernetes' own CRDs write them.
        Case(pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", matching: ["a", "my-app", "a1"], notMatching: ["", "-a", "a-", "My", "a_b"]),
        Case(pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", matching: ["a.b", "x.example.com"], notMatching: ["a..b", "a.", "aXb.c"]),
        // Unanchored: a match anywhere, as Go's MatchString.
        Case(pattern: "ab", matching: ["xxabxx", "ab"], notMatching: ["a b", "ba"]),
        // Perl classes outside and inside brackets, and their negations.
        Case(pattern: "^\\d+$", matching: ["0", "123"], notMatching: ["", "12a", "a"]),
        Case(pattern: "^\\D+$", matching: ["abc"], notMatching: ["a1"]),
        Case(pattern: "^\\w+$", matching: ["a_B9"], notMatching: ["a-b", ""]),
        Case(pattern: "^\\S+\\s\\S+$", matching: ["a b", "a\tb"], notMatching: ["ab", "a  b"]),
        Case(pattern: "^[\\d.]+$", matching: ["1.2.3"], notMatching: ["1,2"]),
        Case(pattern: "^[\\w-]+$", matching: ["a-b_c"], notMatching: ["a b"]),
        // Durations, quantities and versions as operators validate them.
        Case(pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", matching: ["15s", "1h30m", "0.5s"], notMatching: ["15", "s", "1d"]),
        Case(pattern: "^v\\d+(?:\\.\\d+){2}$", matching: ["v1.2.3"], notMatching: ["v1.2", "1.2.3"]),
        // Repetitions, and lazy quantifiers (the same matches as greedy ones).
        Case(pattern: "^a{2,3}$", matching: ["aa", "aaa"], notMatching: ["a", "aaaa"]),
        Case(pattern: "^a{2,3}?b$", matching: ["aab", "aaab"], notMatching: ["ab"]),
        Case(pattern: "^a+?b*?c??$", matching: ["a", "aabbc"], notMatching: ["b", "acc"]),
        // Escaped punctuation, and characters POSIX would read as operators in brackets.
        Case(pattern: "^\\$\\{[a-z]+\\}$", matching: ["${abc}"], notMatching: ["$abc", "{abc}"]),
        Case(pattern: "^[\\]\\[^-]+$", matching: ["]", "[", "^", "-", "][^-"], notMatching: ["a"]),
        Case(pattern: "^[^\\]]+$", matching: ["abc"], notMatching: ["a]c"]),
        Case(pattern: "^[]a]+$", matching: ["]a"], notMatching: ["b"]),
        Case(pattern: "^[a\\-z]+$", matching: ["a-z"], notMatching: ["b"]),
        Case(pattern: "^[\\\\/]+$", matching: ["\\/"], notMatching: ["a"]),
        Case(pattern: "^[[:alpha:]][[:digit:]]$", matching: ["a1"], notMatching: ["1a"]),
        // Escaped characters: controls, hex, and the anchors \A and \z.
        Case(pattern: "^a\\tb$", matching: ["a\tb"], notMatching: ["atb", "a b"]),
        Case(pattern: "\\x41\\x{42}", matching: ["AB"], notMatching: ["ab"]),
        Case(pattern: "^[\\x30-\\x39]+$", matching: ["2024"], notMatching: ["x"]),
        Case(pattern: "\\Aabc\\z", matching: ["abc"], notMatching: ["abcd", "xabc"]),
        Case(pattern: "\\bword\\b", matching: ["a word here"], notMatching: ["swordfish"]),
        // Case folding by a leading flag.
        Case(pattern: "(?i)^hello$", matching: ["HeLLo"], notMatching: ["help"]),
        // Alternation and groups.
        Case(pattern: "^(Always|IfNotPresent|Never)$", matching: ["Never"], notMatching: ["never", "AlwaysNever"]),
    ]

    @Test(arguments: cases)
    func answersAsRE2Does(_ c: Case) {
        for s in c.matching { #expect(PatternMatch.contains(s, pattern: c.pattern) == true, "\(c.pattern) should match \(s)") }
        for s in c.notMatching { #expect(PatternMatch.contains(s, pattern: c.pattern) == false, "\(c.pattern) should not match \(s)") }
    }

    /// Patterns POSIX cannot express, and broken ones: not understood, so nothing is
    /// refused for them (a wrong "does not match" would refuse a valid object).
    @Test(arguments: ["\\p{L}+", "(?P<name>a)", "(?m)^a$", "a(?i)b", "[a-", "[]", "[z-a]", "(a", "a\\", "\\1", "[\\D]", "\\x{zz}"])
    func whatItDoesNotUnderstandIsNil(_ pattern: String) {
        #expect(PatternMatch.contains("a", pattern: pattern) == nil)
    }
}

/// The substring search the shipped modules use instead of _StringProcessing's.
@Suite struct TextSearchTests {
    @Test func findsTheFirstOccurrence() {
        let text = "a ${{ b }} ${{ c }}"
        let range = try! #require(text.firstRange(ofText: "${{"))
        #expect(text[..<range.lowerBound] == "a ")
        #expect(text[range] == "${{")
        #expect(text[text.index(after: range.lowerBound)...].firstRange(ofText: "${{").map { text[$0.upperBound...] } == " c }}")
    }

    @Test func answersWhetherTextIncludesAnother() {
        #expect("jq: error: syntax error, unexpected INVALID_CHARACTER (Unix shell quoting issues?) compile error".includes(" compile error"))
        #expect(!"compile".includes(" compile error"))
        #expect("aab".includes("ab"))  // a partial match first, then the real one
        #expect(!"".includes("a"))
        #expect("anything".includes(""))
        #expect("größe".includes("öß"))
        #expect(Substring("x..y").dropFirst().includes(".."))
    }
}
