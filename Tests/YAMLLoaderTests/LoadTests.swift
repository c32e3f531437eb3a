import Glibc
import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct LoadTests {
    @Test func blockMappingWithNestedSequencesAndMappings() throws {
        let docs = try YAML.load("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: demo
              labels: {app: web, tier: "1"}
            data:
              - a
              - b: 2
                c: [1, 2.5, null]
            """)
        #expect(docs.count == 1)
        let expected: JSON = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "demo", "labels": ["app": "web", "tier": "1"]],
            "data": ["a", ["b": 2, "c": [1, 2.5, .null]]],
        ]
        #expect(docs[0].value == expected)
    }

    @Test func keepsKeyOrder() throws {
        let doc = try #require(try YAML.load("z: 1\na: 2\nm: 3\n").first)
        #expect(doc.value.object.map { Array($0.keys) } == ["z", "a", "m"])
    }

    @Test func multipleDocumentsSkippingEmptyOnes() throws {
        let docs = try YAML.load("""
            # leading comment
            ---
            a: 1
            ---
            # only a comment here
            ---
            - x
            ---
            ---
            """)
        #expect(docs.map(\.value) == [["a": 1], ["x"]])
        #expect(docs[0].position.line == 2)
        #expect(docs[1].position.line == 6)
    }

    @Test func explicitNullDocumentIsKept() throws {
        #expect(try YAML.load("--- null\n").map(\.value) == [.null])
        #expect(try YAML.load("--- ~\n---\n").map(\.value) == [.null])
    }

    @Test func emptyInputsHaveNoDocuments() throws {
        #expect(try YAML.load("").isEmpty)
        #expect(try YAML.load("\n\n# nothing\n").isEmpty)
        #expect(try YAML.load("---\n...\n").isEmpty)
    }

    @Test func blockScalars() throws {
        let doc = try #require(try YAML.load("""
            literal: |
              line 1
                indented
              line 3
            folded: >-
              one
              two
            keep: |+
              x

            strip: |-
              y
            """).first)
        #expect(doc.value["literal"] == "line 1\n  indented\nline 3\n")
        #expect(doc.value["folded"] == "one two")
        #expect(doc.value["keep"] == "x\n\n")
        #expect(doc.value["strip"] == "y")
    }

    @Test func quotedScalarsAreStrings() throws {
        let doc = try #require(try YAML.load("a: 'yes'\nb: \"1\"\nc: 'null'\nd: \"\"\ne: \"tab\\there\"\n").first)
        #expect(doc.value == ["a": "yes", "b": "1", "c": "null", "d": "", "e": "tab\there"])
    }

    @Test func emptyValuesAreNull() throws {
        let doc = try #require(try YAML.load("a:\nb: ~\nc: [~, ]\n").first)
        #expect(doc.value == ["a": .null, "b": .null, "c": [.null]])
    }

    @Test func loadsAFileFromDisk() throws {
        let path = "/tmp/yaml-loader-test-\(UInt64.random(in: 0...UInt64.max)).yaml"
        let text = "name: from-file\nitems: [1, 2]\n"
        let handle = try #require(fopenForTest(path))
        fputs(text, handle)
        fclose(handle)
        defer { remove(path) }
        let docs = try YAML.loadFile(atPath: path)
        #expect(docs.first?.value == ["name": "from-file", "items": [1, 2]])
        #expect(docs.first?.file == path)
    }

    @Test func unicodeAndBOM() throws {
        let doc = try #require(try YAML.load("\u{FEFF}name: héllo 🌍\n").first)
        #expect(doc.value["name"] == "héllo 🌍")
        #expect(doc.node(at: [.key("name")])?.position == SourcePosition(line: 1, column: 7))
    }

    @Test func windowsLineEndings() throws {
        let doc = try #require(try YAML.load("a: 1\r\nb:\r\n  - x\r\n").first)
        #expect(doc.value == ["a": 1, "b": ["x"]])
        #expect(doc.node(at: [.key("b"), .index(0)])?.position == SourcePosition(line: 3, column: 5))
    }

    @Test func largeDocumentLoads() throws {
        // About 1 MB; the loader is linear, so this is quick (no timing asserted).
        var text = "items:\n"
        for i in 0..<20_000 {
            text += "- name: item-\(i)\n  value: \(i)\n  tags: [a, b, \"c\"]\n  text: some words here\n"
        }
        #expect(text.utf8.count > 1_000_000)
        let doc = try #require(try YAML.load(text).first)
        #expect(doc.value["items"]?.array?.count == 20_000)
        #expect(doc.value["items"]?[19_999]?["value"] == 19_999)
        #expect(doc.node(at: [.key("items"), .index(19_999), .key("text")])?.position == SourcePosition(line: 80_001, column: 9))
    }
}
