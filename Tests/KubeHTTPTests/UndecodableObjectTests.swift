import JSONValue
import Kube
import Testing

@testable import KubeHTTP

/// An object the client cannot decode is named and left out; the others in the same list
/// or watch are decoded as usual (issue 18: one object stopped its whole kind).
@Suite struct UndecodableObjectTests {
    static func deep(_ levels: Int) -> String {
        String(repeating: "[", count: levels) + "0" + String(repeating: "]", count: levels)
    }

    static func object(_ name: String, spec: String = #"{"n":1}"#, rv: String = "7") -> String {
        #"{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":""# + name
            + #"","namespace":"ns","resourceVersion":""# + rv + #"","labels":{"a":"b"}},"spec":"# + spec + "}"
    }

    @Test func aListKeepsTheItemsItCanDecodeAndNamesTheOther() throws {
        let body = #"{"kind":"ThingList","apiVersion":"example.com/v1","metadata":{"resourceVersion":"9"},"items":["#
            + Self.object("a") + "," + Self.object("deep", spec: Self.deep(JSON.maximumDepth + 10)) + ","
            + Self.object("b", spec: #""with \"quotes\" and ] brackets [""#) + "]}"
        let page = try KubeClient.decodeList(Array(body.utf8), path: "/apis/example.com/v1/things")
        #expect(page["items"]?.array?.compactMap { $0["metadata"]?["name"]?.string } == ["a", "b"])
        #expect(page["items"]?[1]?["spec"] == "with \"quotes\" and ] brackets [")
        #expect(page["metadata"]?["resourceVersion"] == "9")
        let skipped = try #require(page[UndecodableObject.listKey]?.array?.compactMap(UndecodableObject.init(json:)))
        #expect(skipped.map(\.description) == ["ns/deep"])
        #expect(skipped.first?.reason.contains("item 1 cannot be decoded: nesting deeper than") == true)
    }

    @Test func aListThatDecodesWholeIsUnchanged() throws {
        let body = #"{"kind":"ThingList","items":["# + Self.object("a", spec: Self.deep(10_000)) + "]}"
        let page = try KubeClient.decodeList(Array(body.utf8), path: "/x")
        #expect(page["items"]?.array?.count == 1)
        #expect(page[UndecodableObject.listKey] == nil)
    }

    @Test func aBodyThatIsNotJSONIsStillAnError() {
        #expect(throws: KubeError.self) { try KubeClient.decodeList(Array("<html>".utf8), path: "/x") }
        #expect(throws: KubeError.self) { try KubeClient.decodeList(Array(#"{"items":[{"a":1},"#.utf8), path: "/x") }
    }

    @Test func aWatchEventThatCannotBeDecodedBecomesASkipWithItsVersion() throws {
        let line = #"{"type":"MODIFIED","object":"# + Self.object("deep", spec: Self.deep(JSON.maximumDepth + 10), rv: "42") + "}"
        let event = try KubeClient.decodeEvent(Array(line.utf8))
        let skipped = try #require(UndecodableObject(watchEvent: event))
        #expect(skipped.description == "ns/deep")
        #expect(skipped.resourceVersion == "42")
        #expect(skipped.reason.contains("MODIFIED event cannot be decoded"))
    }

    @Test func aDeletionThatCannotBeDecodedKeepsItsMetadata() throws {
        let line = #"{"type":"DELETED","object":"# + Self.object("deep", spec: Self.deep(JSON.maximumDepth + 10), rv: "43") + "}"
        let event = try KubeClient.decodeEvent(Array(line.utf8))
        #expect(event.type == .deleted)
        #expect(event.object["metadata"]?["name"] == "deep")
        #expect(event.object["metadata"]?["resourceVersion"] == "43")
        #expect(event.object["kind"] == "Thing")
    }

    @Test func aMalformedEventIsStillAnError() {
        #expect(throws: KubeError.self) { try KubeClient.decodeEvent(Array(#"{"type":"ADDED","object":{"#.utf8)) }
        #expect(throws: KubeError.self) { try KubeClient.decodeEvent(Array(#"{"type":"ADDED"}"#.utf8)) }
    }
}
