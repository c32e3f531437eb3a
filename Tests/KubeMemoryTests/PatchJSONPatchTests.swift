import JSONValue
import Testing

@testable import KubeMemory

@Suite struct PatchJSONPatchTests {
    func apply(_ patch: String, to document: String) throws -> JSON {
        try JSONPatch.apply(try JSON.parse(patch), to: try JSON.parse(document))
    }

    @Test func addReplaceRemoveInObjectsAndArrays() throws {
        let result = try apply(#"""
            [{"op":"add","path":"/metadata/labels/app","value":"web"},
             {"op":"replace","path":"/spec/replicas","value":3},
             {"op":"add","path":"/spec/args/1","value":"b"},
             {"op":"add","path":"/spec/args/-","value":"z"},
             {"op":"remove","path":"/spec/old"}]
            """#, to: #"{"metadata":{"labels":{}},"spec":{"replicas":1,"args":["a","c"],"old":true}}"#)
        #expect(result == (try JSON.parse(#"{"metadata":{"labels":{"app":"web"}},"spec":{"replicas":3,"args":["a","b","c","z"]}}"#)))
    }

    @Test func pointerEscapesAreDecoded() throws {
        let result = try apply(#"[{"op":"add","path":"/metadata/annotations/example.com~1owner","value":"me"},{"op":"add","path":"/a~0b","value":1}]"#,
                               to: #"{"metadata":{"annotations":{}}}"#)
        #expect(result[path: "metadata.annotations"]?["example.com/owner"] == "me")
        #expect(result["a~b"] == 1)
    }

    @Test func moveAndCopy() throws {
        let result = try apply(#"[{"op":"copy","from":"/a","path":"/b"},{"op":"move","from":"/a","path":"/c/d"}]"#,
                               to: #"{"a":{"x":1},"c":{}}"#)
        #expect(result == (try JSON.parse(#"{"b":{"x":1},"c":{"d":{"x":1}}}"#)))
    }

    @Test func testOperationGuardsThePatch() throws {
        let document = #"{"spec":{"replicas":1}}"#
        #expect(try apply(#"[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":2}]"#, to: document)[path: "spec.replicas"] == 2)
        let error = #expect(throws: PatchError.self) {
            try apply(#"[{"op":"test","path":"/spec/replicas","value":5},{"op":"replace","path":"/spec/replicas","value":2}]"#, to: document)
        }
        #expect(error?.message == "testing value /spec/replicas failed: test failed")
    }

    @Test func missingTargetsAreClearErrors() throws {
        let error = #expect(throws: PatchError.self) {
            try apply(#"[{"op":"remove","path":"/spec/nothing"}]"#, to: #"{"spec":{}}"#)
        }
        #expect(error?.message.contains("/spec/nothing") == true)
        #expect(error?.code == 422)
        #expect(throws: PatchError.self) { try apply(#"[{"op":"replace","path":"/x","value":1}]"#, to: "{}") }
        #expect(throws: PatchError.self) { try apply(#"[{"op":"add","path":"/a/b","value":1}]"#, to: "{}") }
        #expect(throws: PatchError.self) { try apply(#"[{"op":"add","path":"/l/5","value":1}]"#, to: #"{"l":[]}"#) }
        #expect(throws: PatchError.self) { try apply(#"[{"op":"add","path":"/l/01","value":1}]"#, to: #"{"l":[1,2]}"#) }
        #expect(throws: PatchError.self) { try apply(#"[{"op":"frob","path":"/x"}]"#, to: "{}") }
        #expect(throws: PatchError.self) { try apply(#"[{"op":"add","value":1}]"#, to: "{}") }
    }

    @Test func aPatchThatIsNotAListIsABadRequest() throws {
        let error = #expect(throws: PatchError.self) { try apply(#"{"op":"add"}"#, to: "{}") }
        #expect(error?.code == 400)
    }

    @Test func emptyPathReplacesTheDocument() throws {
        #expect(try apply(#"[{"op":"replace","path":"","value":{"a":1}}]"#, to: #"{"b":2}"#) == ["a": 1])
    }
}
