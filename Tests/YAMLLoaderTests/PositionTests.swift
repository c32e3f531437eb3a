import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct PositionTests {
    let text = """
        apiVersion: yopf.dev/v1alpha1
        spec:
          watch:
            filter: '.spec.managed != false'
          handlers:
            - id: create
              steps:
                - apply: templates/a.yaml
                - job:   "x"
              result: >
                folded text
            - {id: flow, at: delete}
          tagged: !!str   value
          anchored: &anc
            plainAfterBreak
        """

    @Test func positionsOfNestedNodes() throws {
        let doc = try #require(try YAML.load(text, file: "op.yaml").first)
        func at(_ path: [PathComponent]) -> NodeInfo? { doc.node(at: path) }
        #expect(at([])?.position == SourcePosition(line: 1, column: 1))
        #expect(at([])?.keyPosition == nil)
        #expect(at([.key("apiVersion")])?.position == SourcePosition(line: 1, column: 13))
        #expect(at([.key("apiVersion")])?.keyPosition == SourcePosition(line: 1, column: 1))
        #expect(at([.key("apiVersion")])?.style == .plain)
        #expect(at([.key("spec")])?.position == SourcePosition(line: 3, column: 3))
        #expect(at([.key("spec")])?.style == nil)
        let filter = try #require(at([.key("spec"), .key("watch"), .key("filter")]))
        #expect(filter.position == SourcePosition(line: 4, column: 13))
        #expect(filter.keyPosition == SourcePosition(line: 4, column: 5))
        #expect(filter.style == .singleQuoted)
        #expect(at([.key("spec"), .key("handlers")])?.position == SourcePosition(line: 6, column: 5))
        let first = [PathComponent.key("spec"), .key("handlers"), .index(0)]
        #expect(at(first)?.position == SourcePosition(line: 6, column: 7))
        #expect(at(first)?.keyPosition == nil)
        #expect(at(first + [.key("id")])?.position == SourcePosition(line: 6, column: 11))
        #expect(at(first + [.key("steps"), .index(0), .key("apply")])?.position == SourcePosition(line: 8, column: 18))
        let job = try #require(at(first + [.key("steps"), .index(1), .key("job")]))
        #expect(job.position == SourcePosition(line: 9, column: 18))
        #expect(job.style == .doubleQuoted)
        #expect(at(first + [.key("result")])?.position == SourcePosition(line: 10, column: 15))
        #expect(at(first + [.key("result")])?.style == .folded)
        let flow = [PathComponent.key("spec"), .key("handlers"), .index(1)]
        #expect(at(flow)?.position == SourcePosition(line: 12, column: 7))
        #expect(at(flow + [.key("at")])?.position == SourcePosition(line: 12, column: 22))
        #expect(at(flow + [.key("at")])?.keyPosition == SourcePosition(line: 12, column: 18))
    }

    @Test func tagsAndAnchorsAreSkippedToTheValue() throws {
        let doc = try #require(try YAML.load(text).first)
        #expect(doc.node(at: [.key("spec"), .key("tagged")])?.position == SourcePosition(line: 13, column: 19))
        #expect(doc.node(at: [.key("spec"), .key("anchored")])?.position == SourcePosition(line: 15, column: 5))
        let commented = try #require(try YAML.load("a: &x # note\n  'v'\nb: !t\n\n  w\n").first)
        #expect(commented.node(at: [.key("a")])?.position == SourcePosition(line: 2, column: 3))
        #expect(commented.node(at: [.key("b")])?.position == SourcePosition(line: 5, column: 3))
    }

    @Test func offsetIntoASingleLinePlainScalar() throws {
        let line = "    filter: .spec.replicas | tostring"
        let doc = try #require(try YAML.load("spec:\n\(line)\n").first)
        let info = try #require(doc.node(at: [.key("spec"), .key("filter")]))
        let value = try #require(doc.value["spec"]?["filter"]?.string)
        // Point at "tostring" inside the scalar: column + its offset in the value.
        let offset = try #require(value.firstRange(of: "tostring")).lowerBound.utf16Offset(in: value)
        let target = info.position.column + offset
        #expect(Array(line)[target - 1] == "t")
        #expect(String(Array(line)[(target - 1)...]) == "tostring")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let doc = try #require(try YAML.load("ключ: значение\n").first)
        #expect(doc.node(at: [.key("ключ")])?.position == SourcePosition(line: 1, column: 7))
    }

    @Test func missingPathsHaveNoNode() throws {
        let doc = try #require(try YAML.load("a: [1, 2]\nb: {c: 1}\n").first)
        #expect(doc.node(at: [.key("x")]) == nil)
        #expect(doc.node(at: [.key("a"), .index(2)]) == nil)
        #expect(doc.node(at: [.key("a"), .key("c")]) == nil)
        #expect(doc.node(at: [.key("b"), .index(0)]) == nil)
        #expect(doc.node(at: [.key("b"), .key("c"), .key("d")]) == nil)
    }

    @Test func aliasAndMergedNodesPointAtTheAnchoredText() throws {
        let doc = try #require(try YAML.load("""
            base: &b
              x: 1
            use: *b
            merged:
              <<: *b
              z: 2
            """).first)
        #expect(doc.node(at: [.key("use"), .key("x")])?.position == SourcePosition(line: 2, column: 6))
        #expect(doc.node(at: [.key("merged"), .key("x")])?.keyPosition == SourcePosition(line: 2, column: 3))
        #expect(doc.node(at: [.key("merged"), .key("z")])?.position == SourcePosition(line: 6, column: 6))
    }

    @Test func documentPositionsInAStream() throws {
        let docs = try YAML.load("a: 1\n---\nb: 2\n--- \nc: [x]\n", file: "many.yaml")
        #expect(docs.map(\.position.line) == [1, 2, 4])
        #expect(docs[2].node(at: [.key("c"), .index(0)])?.position == SourcePosition(line: 5, column: 5))
        #expect(docs.allSatisfy { $0.file == "many.yaml" })
    }

    @Test func errorHelperLocatesNodes() throws {
        let doc = try #require(try YAML.load("a:\n  b: 1\n", file: "f.yaml").first)
        #expect(doc.error("bad", at: [.key("a"), .key("b")]).description == "f.yaml:2:6: bad")
        #expect(doc.error("bad", at: [.key("a"), .key("b")], atKey: true).description == "f.yaml:2:3: bad")
        #expect(doc.error("bad", at: [.key("zz")]).description == "f.yaml:1:1: bad")
    }
}
