import JSONValue
@testable import Lifecycle
import Testing

/// `DiffEntry.diff` (what handlers see as `$diff`): its entries, in order, and an object
/// nested 10,000 levels deep diffed in a Swift task without exhausting its stack (issue 18).
@Suite struct EssenceDiffTests {
    @Test func entriesInTheOrderOfOldKeysThenAddedOnes() {
        let old: JSON = ["spec": ["a": 1, "b": ["c": "x", "d": [1]], "gone": true, "nulled": .null], "same": ["k": 1]]
        let new: JSON = ["spec": ["a": 2, "b": ["c": "x", "d": [2]], "nulled": 1, "added": ["z": 0]], "same": ["k": 1.0]]
        #expect(DiffEntry.diff(old, new) == [
            DiffEntry(op: .change, path: ["spec", "a"], old: 1, new: 2),
            DiffEntry(op: .change, path: ["spec", "b", "d"], old: [1], new: [2]),
            DiffEntry(op: .remove, path: ["spec", "gone"], old: true, new: .null),
            DiffEntry(op: .add, path: ["spec", "nulled"], old: .null, new: 1),
            DiffEntry(op: .add, path: ["spec", "added"], old: .null, new: ["z": 0]),
        ])
        #expect(DiffEntry.diff(old, old).isEmpty)
        #expect(DiffEntry.diff(nil, ["a": 1]) == [DiffEntry(op: .add, path: [], old: .null, new: ["a": 1])])
        #expect(DiffEntry.diff(["a": 1], "text") == [DiffEntry(op: .change, path: [], old: ["a": 1], new: "text")])
    }

    @Test func aTenThousandLevelDiffInATask() async {
        let entries = await Task.detached {
            func deep(_ leaf: JSON) -> JSON {
                var value = leaf
                for _ in 0..<10_000 { value = ["a": value] }
                return value
            }
            return DiffEntry.diff(deep(["x": 1]), deep(["x": 2]))
        }.value
        #expect(entries.count == 1)
        #expect(entries.first?.path.count == 10_001)
        #expect(entries.first?.old == 1)
    }
}
