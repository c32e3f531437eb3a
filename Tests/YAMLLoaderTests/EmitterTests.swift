import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct EmitterTests {
    @Test func kubectlLikeLayout() {
        let value: JSON = [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": [
                "containers": [
                    ["name": "c", "args": ["--verbose", "-v"], "ports": [["containerPort": 80]]],
                ],
                "empty": [:],
                "none": [],
                "ratio": 0.5,
                "enabled": true,
                "nothing": .null,
            ],
        ]
        #expect(YAML.emit(value) == """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels:
                app: web
            spec:
              containers:
              - name: c
                args:
                - --verbose
                - -v
                ports:
                - containerPort: 80
              empty: {}
              none: []
              ratio: 0.5
              enabled: true
              nothing: null

            """)
    }

    @Test(arguments: [
        ("yes", "\"yes\""), ("1", "\"1\""), ("null", "\"null\""), ("", "\"\""), (" lead", "\" lead\""),
        ("trail ", "\"trail \""), ("a: b", "\"a: b\""), ("a #b", "\"a #b\""), ("#x", "\"#x\""), ("*x", "\"*x\""),
        ("- x", "\"- x\""), ("-", "\"-\""), ("---", "\"---\""), ("key:", "\"key:\""), ("0x1F", "\"0x1F\""),
        ("1e3", "\"1e3\""), (".inf", "\".inf\""), ("~", "\"~\""), ("<<", "\"<<\""), ("{a}", "\"{a}\""),
        ("tab\there", "\"tab\\there\""), ("bell\u{7}", "\"bell\\x07\""), ("nel\u{85}", "\"nel\\x85\""),
        ("ls\u{2028}", "\"ls\\u2028\""), ("say \"hi\"", "say \"hi\""), ("a:b", "a:b"), ("a#b", "a#b"),
        ("plain words", "plain words"), ("héllo 🌍", "héllo 🌍"), ("-v", "-v"), ("http://x/y?z=1", "http://x/y?z=1"),
        ("2001-12-14", "2001-12-14"), ("true-ish", "true-ish"), ("back\\slash", "back\\slash"),
    ])
    func stringQuoting(_ string: String, _ expected: String) throws {
        #expect(YAML.emit(["k": .string(string)]) == "k: \(expected)\n")
        #expect(try YAML.load(YAML.emit(["k": .string(string)])).first?.value == ["k": .string(string)])
    }

    @Test func multiLineStringsUseLiteralBlocks() throws {
        let value: JSON = ["script": "set -e\necho hi\n", "strip": "a\n  b", "keep": "x\n\n", "lead": "  indented\nnext\n"]
        let text = YAML.emit(value)
        #expect(text == """
            script: |
              set -e
              echo hi
            strip: |-
              a
                b
            keep: |+
              x

            lead: |2
                indented
              next

            """)
        #expect(try YAML.load(text).first?.value == value)
    }

    @Test func multiLineStringsThatALiteralCannotHoldAreQuoted() {
        #expect(YAML.emit(["k": "a \nb"]) == "k: \"a \\nb\"\n")
        #expect(YAML.emit(["k": "a\r\nb"]) == "k: \"a\\r\\nb\"\n")
        #expect(YAML.emit(["k": "\n\n"]) == "k: \"\\n\\n\"\n")
    }

    @Test func keysAreQuotedLikeValues() throws {
        let value: JSON = ["1": "a", "true": "b", "": "c", "a: b": "d", "null": "e", "plain": "f"]
        let text = YAML.emit(value)
        #expect(text == "\"1\": a\n\"true\": b\n\"\": c\n\"a: b\": d\n\"null\": e\nplain: f\n")
        #expect(try YAML.load(text).first?.value == value)
    }

    @Test func longKeysUseExplicitForm() throws {
        let key = String(repeating: "k", count: 1500)
        let value: JSON = [key: ["a": 1], "b": [1, 2]]
        #expect(try YAML.load(YAML.emit(value)).first?.value == value)
    }

    @Test func scalarsAndNestedSequencesAtTheRoot() throws {
        #expect(YAML.emit("text") == "text\n")
        #expect(YAML.emit(.null) == "null\n")
        #expect(YAML.emit(42) == "42\n")
        #expect(YAML.emit([]) == "[]\n")
        #expect(YAML.emit([[1, 2], [["a": 1, "b": [true]]]]) == "- - 1\n  - 2\n- - a: 1\n    b:\n    - true\n")
        #expect(YAML.emit("line1\nline2") == "|-\n  line1\n  line2\n")
        for value: JSON in ["text", .null, 42, [], [[1, 2], [["a": 1, "b": [true]]]], "line1\nline2", 1.5e300, -0.25] {
            #expect(try YAML.load(YAML.emit(value)).map(\.value) == [value])
        }
    }

    @Test func documentStreams() throws {
        let docs: [JSON] = [["a": 1], "x", .null, [1]]
        let text = YAML.emit(documents: docs)
        #expect(text == "a: 1\n---\nx\n---\nnull\n---\n- 1\n")
        #expect(try YAML.load(text).map(\.value) == docs)
        #expect(YAML.emit(documents: []) == "")
    }

    @Test func nonFiniteDoublesBecomeNull() {
        #expect(YAML.emit(["x": .double(.infinity)]) == "x: null\n")
    }

    // MARK: - Round trips of generated values

    @Test func generatedValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            let value = Self.randomJSON(&rng, depth: 0)
            let text = YAML.emit(value)
            let loaded: [JSON]
            do {
                loaded = try YAML.load(text).map(\.value)
            } catch {
                Issue.record("emitted YAML does not load: \(error)\n\(text)\nfrom \(value)")
                continue
            }
            #expect(loaded == [value], "round trip changed the value:\n\(text)")
        }
    }

    @Test func generatedStreamsRoundTrip() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<200 {
            let docs = (0..<Int(rng.next() % 4 + 1)).map { _ in Self.randomJSON(&rng, depth: 0) }
            #expect(try YAML.load(YAML.emit(documents: docs)).map(\.value) == docs)
        }
    }

    static func randomJSON(_ rng: inout SplitMix64, depth: Int) -> JSON {
        let pick = rng.next() % (depth > 3 ? 6 : 9)
        switch pick {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .int(Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 64))
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : Double(Int(truncatingIfNeeded: rng.next() % 1000)) / 8)
        case 4, 5: return .string(randomString(&rng))
        case 6: return .array((0..<Int(rng.next() % 4)).map { _ in randomJSON(&rng, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int(rng.next() % 5) {
                object[randomString(&rng)] = randomJSON(&rng, depth: depth + 1)
            }
            return .object(object)
        }
    }

    static let tricky = [
        "yes", "No", "on", "~", "null", "", " ", "-", "- ", "? ", ": ", "#", " #", "&a", "*a", "!t", "|", ">",
        "'", "\"", "%", "@", "`", "{", "}", "[", "]", ",", "\n", "\r", "\t", "\\", "0x1F", "017", "1_0", ".5", "1e3",
        "-.inf", ".nan", "<<", "---", "...", "é", "🌍", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{0}", "\u{7F}", "a", "b",
        "key", "1", "0", "+", ".", "=", "true", "y", "?", ":", "-", "*", "&", "!", "\u{A0}", "  ", "|-", "0o7", "_",
    ]

    static func randomString(_ rng: inout SplitMix64) -> String {
        var s = ""
        for _ in 0..<Int(rng.next() % 6) {
            s += tricky[Int(rng.next() % UInt64(tricky.count))]
        }
        return s
    }
}
