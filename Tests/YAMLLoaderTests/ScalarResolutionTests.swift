import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct ScalarResolutionTests {
    private func value(_ scalar: String) throws -> JSON? {
        try YAML.load("v: \(scalar)\n").first?.value["v"]
    }

    // go-yaml v2's YAML 1.1 boolean table, exactly these spellings.
    @Test(arguments: ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
    func trueSpellings(_ word: String) throws {
        #expect(try value(word) == .bool(true))
    }

    @Test(arguments: ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
    func falseSpellings(_ word: String) throws {
        #expect(try value(word) == .bool(false))
    }

    @Test(arguments: ["yEs", "tRUE", "oN", "nO", "FaLSe", "yes!", "truee", "t", "f", "'yes'", "\"true\""])
    func otherSpellingsAreStrings(_ word: String) throws {
        let expected = word.hasPrefix("'") || word.hasPrefix("\"") ? String(word.dropFirst().dropLast()) : word
        #expect(try value(word) == .string(expected))
    }

    @Test(arguments: ["~", "null", "Null", "NULL", ""])
    func nullSpellings(_ word: String) throws {
        #expect(try value(word) == .null)
    }

    @Test func nullLikeStrings() throws {
        #expect(try value("nULL") == "nULL")
        #expect(try value("None") == "None")
    }

    @Test(arguments: [
        ("0", 0), ("-0", 0), ("+12", 12), ("-12", -12), ("1_000", 1000), ("0x1F", 31), ("0X1f", 31),
        ("-0x10", -16), ("017", 15), ("0o17", 15), ("0O17", 15), ("0b101", 5), ("-0b11", -3),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min), ("1__0", 10),
    ])
    func integers(_ text: String, _ expected: Int) throws {
        let v = try value(text)
        #expect(v == .int(expected))
        if case .int = v {} else { Issue.record("\(text) should be an integer, got \(String(describing: v))") }
    }

    @Test(arguments: [
        ("1.5", 1.5), ("-1.5", -1.5), (".5", 0.5), ("-.5", -0.5), ("+.5", 0.5), ("1e3", 1000.0), ("1E-2", 0.01),
        ("2.", 2.0), ("08", 8.0), ("1_000.5", 1000.5), ("6.02e+23", 6.02e23), ("18446744073709551615", 18446744073709551615.0),
        ("99999999999999999999", 1e20),
    ])
    func floats(_ text: String, _ expected: Double) throws {
        let v = try value(text)
        #expect(v == .double(expected))
        if case .double = v {} else { Issue.record("\(text) should be a double, got \(String(describing: v))") }
    }

    @Test(arguments: [
        "0x", "0xZZ", "1e999", "1.2.3", "12abc", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "_1", "+", "-x", ".",
        ".e3", "1e", "0b102", "+0xFFFFFFFFFFFFFFFF", "1:20", "a b", "<<", "1 000", "0.1.2", "+-1",
    ])
    func stringsThatLookNumeric(_ text: String) throws {
        #expect(try value(text) == .string(text))
    }

    @Test(arguments: [".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.INF", ".nan", ".NaN", ".NAN", "!!float .inf"])
    func nonFiniteFloatsAreRejected(_ text: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("v: \(text)\n") }
        #expect(error.message.contains("not a number JSON can hold"))
        #expect(error.position == SourcePosition(line: 1, column: text.hasPrefix("!!") ? 12 : 4))
        #expect(try value("'\(text)'") == .string(text))
    }

    @Test func explicitTags() throws {
        let doc = try #require(try YAML.load("""
            s: !!str 123
            b: !!bool "yes"
            i: !!int "0x10"
            f: !!float 3
            nul: !!null ~
            bin: !!binary |
              aGVs
              bG8=
            ts: !!timestamp 2001-12-14
            custom: !Ref 42
            nonspecific: ! 12
            seq: !!seq [1]
            map: !!map {a: 1}
            """).first)
        #expect(doc.value == [
            "s": "123", "b": true, "i": 16, "f": 3.0, "nul": .null, "bin": "aGVsbG8=", "ts": "2001-12-14",
            "custom": "42", "nonspecific": "12", "seq": [1], "map": ["a": 1],
        ])
        if case .double = doc.value["f"] {} else { Issue.record("!!float 3 should be a double") }
    }

    @Test(arguments: ["!!int abc", "!!int 1.5", "!!bool 1", "!!float yes", "!!null 0", "!!int \"\""])
    func explicitTagMismatches(_ text: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("v: \(text)\n") }
        #expect(error.message.hasPrefix("cannot read "))
        #expect(error.position == SourcePosition(line: 1, column: text.firstIndex(of: " ").map { text.distance(from: text.startIndex, to: $0) + 5 } ?? 0))
    }

    @Test func plainKeysStayTheirText() throws {
        // Unlike kubectl, `on:` is the key "on" (operator files use it), and `y`, `no`,
        // `0x10`, `~` keys in ConfigMap data keep their spelling.
        let doc = try #require(try YAML.load("on: push\nn: 1\ny: 2\n0x10: hex\n1e6: big\n~: tilde\n.inf: inf\n").first)
        #expect(doc.value == ["on": "push", "n": 1, "y": 2, "0x10": "hex", "1e6": "big", "~": "tilde", ".inf": "inf"])
    }

    @Test func typedKeysBecomeTheirJSONStrings() throws {
        // Tagged keys and aliases of typed values are spelled as sigs.k8s.io/yaml does.
        let doc = try #require(try YAML.load("""
            one: &one 1
            flag: &flag yes
            !!int 0x10: hex
            !!bool yes: bool
            !!float 1e6: big
            !!float 0.0001: small
            *one : alias
            '007': quoted
            """).first)
        #expect(doc.value == [
            "one": 1, "flag": true, "16": "hex", "true": "bool", "1e+06": "big", "0.0001": "small",
            "1": "alias", "007": "quoted",
        ])
    }

    @Test func floatKeyFormatting() {
        #expect(GoFloatKey.format(100000) == "100000")
        #expect(GoFloatKey.format(1234567) == "1.234567e+06")
        #expect(GoFloatKey.format(0.00001) == "1e-05")
        #expect(GoFloatKey.format(-2.5) == "-2.5")
        #expect(GoFloatKey.format(0.1) == "0.1")
        #expect(GoFloatKey.format(3.14159265358979) == "3.1415927")
        #expect(GoFloatKey.format(0) == "0")
        #expect(GoFloatKey.format(.nan) == ".nan")
    }
}
