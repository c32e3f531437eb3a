import JSONValue
import Testing

@testable import JQ

/// Values nested 10,000 levels deep (as deep as kube-apiserver accepts) cross into jq and
/// back in a Swift task without exhausting its stack (issue 18); deeper results are an
/// error, not a crash.
@Suite struct DeepValueTests {
    static func deepObject(_ depth: Int) -> JSON {
        var value: JSON = ["leaf": 1]
        for _ in 0..<depth { value = ["a": value] }
        return value
    }

    @Test func aTenThousandLevelObjectGoesThroughJqAndBack() async throws {
        let pool = JQPool(program: try JQProgram(expressions: [".", "[paths] | length", ".a.a.a | keys"]))
        let input = Self.deepObject(10_000)
        let (same, paths, keys) = try await Task.detached {
            (try await pool.evaluateFirst(0, input: input), try await pool.evaluateFirst(1, input: input),
             try await pool.evaluateFirst(2, input: input))
        }.value
        #expect(same == input)
        #expect(paths == .int(10_001))
        #expect(keys == ["a"])
    }

    @Test func theConversionsThemselvesAreFlat() async throws {
        let back = await Task.detached {
            let input = Self.deepObject(10_000)
            return (try? JSON.converting(consuming: input.makeJV())) == input
        }.value
        #expect(back)
    }

    @Test func aResultDeeperThanTheLimitIsAnError() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["reduce range(\(JSON.maximumDepth + 10)) as $i ({}; {a: .})"]))
        await #expect {
            try await pool.evaluate(0, input: .null)
        } throws: { error in
            (error as? JQEvaluationError)?.message == "the result is nested deeper than \(JSON.maximumDepth) levels"
        }
    }
}
