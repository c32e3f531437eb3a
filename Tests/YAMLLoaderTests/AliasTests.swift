import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct AliasTests {
    @Test func aliasesCopyAnchoredValues() throws {
        let doc = try #require(try YAML.load("""
            a: &x {k: [1, 2]}
            b: *x
            s: &s text
            t: [*s, *s]
            """).first)
        #expect(doc.value == ["a": ["k": [1, 2]], "b": ["k": [1, 2]], "s": "text", "t": ["text", "text"]])
    }

    @Test func aliasesMayBeKeys() throws {
        let doc = try #require(try YAML.load("k: &k name\n*k : v\n").first)
        #expect(doc.value == ["k": "name", "name": "v"])
    }

    @Test func anchorsAreRedefinable() throws {
        let doc = try #require(try YAML.load("a: &x 1\nb: *x\nc: &x 2\nd: *x\n").first)
        #expect(doc.value == ["a": 1, "b": 1, "c": 2, "d": 2])
    }

    @Test func anchorsDoNotCrossDocuments() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("a: &x 1\n---\nb: *x\n", file: "s.yaml") }
        #expect(error.description == "s.yaml:3:4: unknown anchor \"x\" (define it with &x before this alias)")
    }

    @Test func mergeKeys() throws {
        let doc = try #require(try YAML.load("""
            defaults: &d
              image: nginx
              replicas: 1
            extra: &e
              replicas: 5
              port: 80
            one:
              <<: *d
              replicas: 3
            two:
              replicas: 4
              <<: [*e, *d]
            three:
              <<: {inline: true}
              name: nm
            """).first)
        #expect(doc.value["one"] == ["image": "nginx", "replicas": 3])
        // Explicit keys win wherever they stand; among merged mappings the first wins.
        #expect(doc.value["two"] == ["image": "nginx", "replicas": 4, "port": 80])
        #expect(doc.value["three"] == ["inline": true, "name": "nm"])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let doc = try #require(try YAML.load("'<<': {a: 1}\nv: <<\n").first)
        #expect(doc.value == ["<<": ["a": 1], "v": "<<"])
    }

    @Test(arguments: ["<<: 1", "<<: [1]", "<<: [{a: 1}, x]"])
    func mergeNeedsMappings(_ text: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load(text) }
        #expect(error.message.contains("merge key"))
    }

    @Test func billionLaughsIsRefused() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let p = "*a\(i - 1)"
            text += "a\(i): &a\(i) [\(Array(repeating: p, count: 10).joined(separator: ", "))]\n"
        }
        let error = try #require(throws: YAMLError.self) { try YAML.load(text, file: "bomb.yaml") }
        #expect(error.message.contains("alias bomb"))
        #expect(error.file == "bomb.yaml")
    }

    @Test func moderateAliasUseIsFine() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...3 {
            text += "a\(i): &a\(i) [\(Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", "))]\n"
        }
        let doc = try #require(try YAML.load(text).first)
        #expect(doc.value["a3"]?[9]?[9]?.array?.count == 10)
    }
}
