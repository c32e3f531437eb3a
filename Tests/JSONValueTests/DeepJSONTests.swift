import JSONValue
import Testing

/// Values nested as deep as kube-apiserver accepts (10,000 levels; issue 18: one object
/// 505 levels deep stopped the watch of its whole kind, "nesting deeper than 512 levels").
/// Every operation that walks a value runs on one in a Swift task, whose thread's stack is
/// what a running operator has, not only on the main thread.
@Suite struct DeepJSONTests {
    static let depth = 10_000

    /// `[[[…0…]]]` and `{"a":{"a":…0…}}`, `depth` levels.
    static func deepArrayText(_ depth: Int = depth) -> String {
        String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth)
    }

    static func deepObjectText(_ depth: Int = depth, leaf: String = "0") -> String {
        String(repeating: #"{"a":"#, count: depth) + leaf + String(repeating: "}", count: depth)
    }

    static func deepObject(_ depth: Int = depth, leaf: JSON = 0) -> JSON {
        var value = leaf
        for _ in 0..<depth { value = ["a": value] }
        return value
    }

    static func depthOf(_ value: JSON) -> Int {
        var depth = 0
        var current = value
        while true {
            switch current {
            case .array(let a) where !a.isEmpty: current = a[0]
            case .object(let o) where !o.isEmpty: current = o.values[0]
            default: return depth
            }
            depth += 1
        }
    }

    @Test func parsesAndWritesTenThousandLevelsInATask() async throws {
        let (arrayDepth, objectDepth, arrayText, objectText, pretty) = try await Task.detached {
            let array = try JSON.parse(Self.deepArrayText())
            let object = try JSON.parse(Self.deepObjectText())
            // Pretty output indents each level (quadratic bytes), so a shallower value.
            return (Self.depthOf(array), Self.depthOf(object), array.serialized(), object.serialized(),
                    Self.deepObject(1_000).serialized(pretty: true, sortedKeys: true))
        }.value
        #expect(arrayDepth == Self.depth)
        #expect(objectDepth == Self.depth)
        #expect(arrayText == Self.deepArrayText())
        #expect(objectText == Self.deepObjectText())
        #expect(pretty.split(separator: "\n").count == 2 * 1_000 + 1)
    }

    @Test func theLimitIsTheAPIServersPlusAnEnvelope() throws {
        #expect(JSON.maximumDepth >= 10_002)
        _ = try JSON.parse(Self.deepArrayText(JSON.maximumDepth - 1))
        #expect {
            try JSON.parse(Self.deepArrayText(JSON.maximumDepth + 1))
        } throws: { error in
            (error as? JSONParseError)?.message == "nesting deeper than \(JSON.maximumDepth) levels"
        }
        // A list holding a 10,000-level object.
        let list = #"{"kind":"List","items":["# + Self.deepObjectText() + "]}"
        #expect(Self.depthOf(try JSON.parse(list)["items"]![0]!) == Self.depth)
    }

    @Test func equalityAndHashingOfDeepValuesInATask() async throws {
        let results = await Task.detached {
            let a = Self.deepObject()
            let b = Self.deepObject()
            let c = Self.deepObject(leaf: 1)
            let d = Self.deepObject(leaf: 0.0)
            return (a == b, a == c, a == d, a.hashValue == b.hashValue, a.hashValue == d.hashValue, Set([a, b, c]).count)
        }.value
        #expect(results.0)
        #expect(!results.1)
        #expect(results.2)  // 0 == 0.0, as everywhere in JSON
        #expect(results.3)
        #expect(results.4)
        #expect(results.5 == 2)
    }

    /// Releasing a value recurses in the Swift runtime; a task's thread has room for it.
    @Test func deepValuesAreReleasedInATask() async throws {
        let released = await Task.detached {
            for _ in 0..<3 {
                var value: JSON? = Self.deepObject()
                #expect(value != nil)
                value = nil
                var array: JSON? = try? JSON.parse(Self.deepArrayText())
                #expect(array != nil)
                array = nil
            }
            return true
        }.value
        #expect(released)
    }

    @Test func mergePatchesOfDeepValuesInATask() async throws {
        let (patched, patch, empty) = await Task.detached {
            let base = Self.deepObject(leaf: ["x": 1, "y": 2])
            let patch = Self.deepObject(leaf: ["x": .null, "z": 3])
            let patched = base.mergePatched(with: patch)
            let reverse = base.mergePatch(to: patched)
            return (patched, reverse, base.mergePatch(to: base))
        }.value
        #expect(patched == Self.deepObject(leaf: ["y": 2, "z": 3]))
        #expect(patch == Self.deepObject(leaf: ["x": .null, "z": 3]))
        #expect(empty == .object([:]))
    }

    /// A truncating parse reads an object's metadata whatever lies below.
    @Test func aTruncatingParseReadsTheTopOfATooDeepObject() throws {
        let text = #"{"metadata":{"name":"deep","namespace":"ns"},"spec":"# + Self.deepArrayText(JSON.maximumDepth + 5) + #","kind":"Thing"}"#
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        let top = try JSON.parse(Array(text.utf8), truncatingBeyond: 3)
        #expect(top["metadata"]?["name"] == "deep")
        #expect(top["spec"] == [[.null]])
        #expect(top["kind"] == "Thing")
        // Its text must still be well formed.
        #expect(throws: JSONParseError.self) { try JSON.parse(Array(#"{"a":[[[1,2}]]}"#.utf8), truncatingBeyond: 1) }
    }
}

/// The model's merge patches, as before they lost their recursion.
@Suite struct MergePatchTests {
    @Test func mergePatchedFollowsRFC7386() {
        let target: JSON = ["a": "b", "c": ["d": "e", "f": "g"], "l": [1, 2]]
        #expect(target.mergePatched(with: ["a": "z", "c": ["f": .null, "h": ["i": 1]], "l": [3]])
            == ["a": "z", "c": ["d": "e", "h": ["i": 1]], "l": [3]])
        #expect(JSON.string("x").mergePatched(with: ["a": ["b": .null]]) == ["a": [:]])
        #expect(target.mergePatched(with: [1]) == [1])
        #expect(target.mergePatched(with: [:]) == target)
    }

    @Test func mergePatchIsTheReverse() {
        let from: JSON = ["a": 1, "b": ["c": 1, "d": ["e": 1]], "gone": true, "same": ["x": [1]]]
        let to: JSON = ["a": 2, "b": ["c": 1, "d": ["e": 2, "f": 3]], "new": "n", "same": ["x": [1]]]
        let patch = from.mergePatch(to: to)
        #expect(patch == ["a": 2, "b": ["d": ["e": 2, "f": 3]], "gone": .null, "new": "n"])
        #expect(from.mergePatched(with: patch) == to)
        #expect(JSON.int(1).mergePatch(to: ["a": 1]) == ["a": 1])
    }
}
