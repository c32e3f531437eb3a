import Testing

import JSONValue

@Suite struct JSONParseErrorTests {
    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a string key"),
        ("{\"a\" 1}", "expected ':'"),
        ("[1,]", "unexpected character"),
        ("01", "unexpected data after"),
        ("1.", "digits expected after '.'"),
        ("1e", "digits expected in exponent"),
        ("\"\\x\"", "invalid escape"),
        ("\"abc", "unterminated string"),
        ("tru", "invalid literal"),
        ("[1] x", "unexpected data after"),
        ("\"a\u{01}b\"", "control character"),
    ])
    func rejectsWithAReason(text: String, reason: String) {
        do {
            _ = try JSON.parse(text)
            Issue.record("\(text) parsed")
        } catch let e as JSONParseError {
            #expect(e.message.contains(reason), "\(text): \(e.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func reportsLineAndColumn() throws {
        do {
            _ = try JSON.parse("{\n  \"a\": 1,\n  \"b\": ?\n}")
            Issue.record("parsed")
        } catch let e as JSONParseError {
            #expect(e.line == 3)
            #expect(e.column == 8)
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]\":,0123456789.eE+-tfnaulrsx\\ \n".utf8)
        for _ in 0..<3000 {
            let n = Int(rng.next() % 40)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            _ = try? JSON.parse(bytes)
        }
    }
}

@Suite struct JSONValueSemanticsTests {
    @Test func unicodeEscapesAndSurrogatePairs() throws {
        let v = try JSON.parse(#"["\u00e9", "\ud83d\ude00", "\ud800", "a\/b"]"#)
        #expect(v == ["é", "😀", "\u{FFFD}", "a/b"])
        #expect(try JSON.parse(v.serialized()) == v)
    }

    @Test func numbers() throws {
        #expect(try JSON.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSON.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSON.parse("-0.5e-3") == .double(-0.0005))
        #expect(JSON.double(3.0).serialized() == "3")
        #expect(JSON.double(.infinity).serialized() == "null")
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.double(2.5).int == nil)
        #expect(JSON.double(4).int == 4)
    }

    @Test func objectEqualityIgnoresOrderButSerializationKeepsIt() throws {
        let a = try JSON.parse(#"{"x":1,"y":2}"#)
        let b = try JSON.parse(#"{"y":2,"x":1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(b.serialized() == #"{"y":2,"x":1}"#)
        #expect(b.serialized(sortedKeys: true) == #"{"x":1,"y":2}"#)
    }

    @Test func escapesControlCharacters() {
        #expect(JSON.string("a\"\\\n\t\u{1}").serialized() == #""a\"\\\n\t\u0001""#)
    }

    @Test func prettyPrinting() {
        let v: JSON = ["a": [1, 2], "b": [:]]
        #expect(v.serialized(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }

    @Test func pathsGetSetRemove() {
        var v: JSON = ["metadata": ["name": "x"]]
        #expect(v.value(at: ["metadata", "name"]) == "x")
        #expect(v[path: "metadata.name"] == "x")
        v.set("app", at: ["metadata", "labels", "app"])
        #expect(v["metadata"]?["labels"]?["app"] == "app")
        v.remove(at: ["metadata", "name"])
        #expect(v["metadata"]?["name"] == nil)
        v.remove(at: ["nothing", "here"])
        #expect(v["nothing"] == nil)
        var scalar: JSON = ["a": 1]
        scalar.set("deep", at: ["a", "b"])   // a non-object on the way is replaced
        #expect(scalar["a"]?["b"] == "deep")
    }

    @Test func settingAtAPathKeepsTheKeyOrder() {
        // A manifest keeps its layout when yopf fills in its namespace or labels.
        var v: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"], "data": ["k": "v"]]
        v.set("default", at: ["metadata", "namespace"])
        v.set("op", at: ["metadata", "labels", "yopf.dev/operator"])
        v.remove(at: ["metadata", "name"])
        #expect(v.serialized() == #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"namespace":"default","labels":{"yopf.dev/operator":"op"}},"data":{"k":"v"}}"#)
    }

    @Test func mergePatchFollowsRFC7386() {
        let target: JSON = ["a": "b", "c": ["d": "e", "f": "g"]]
        let patch: JSON = ["a": "z", "c": ["f": .null]]
        #expect(target.mergePatched(with: patch) == ["a": "z", "c": ["d": "e"]])
        #expect(JSON.array([1]).mergePatched(with: ["a": 1]) == ["a": 1])
        #expect(target.mergePatched(with: [1, 2]) == [1, 2])
    }

    @Test func mergePatchToIsTheInverse() {
        let from: JSON = ["a": 1, "b": ["c": 2, "d": 3], "e": [1]]
        let to: JSON = ["a": 1, "b": ["c": 5], "f": true]
        let patch = from.mergePatch(to: to)
        #expect(patch == ["b": ["c": 5, "d": .null], "e": .null, "f": true])
        #expect(from.mergePatched(with: patch) == to)
    }

    @Test func truthinessIsJqs() {
        #expect(!JSON.null.isTruthy)
        #expect(!JSON.bool(false).isTruthy)
        #expect(JSON.int(0).isTruthy)
        #expect(JSON.string("").isTruthy)
    }
}
