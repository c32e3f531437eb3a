import JSONValue
import Synchronization
import Testing

@testable import JQ

/// Errors after a multi-line expression (issue 18): the program source once counted its
/// pieces instead of its text lines, so every expression after a multi-line one sat on the
/// wrong lines, errors were blamed on the wrong expression, and the attribution loop spun
/// for ever. Each case here runs under a deadline so that a regression fails instead of
/// hanging the suite.
@Suite struct MultilineAttributionTests {
    /// The issue's example: a multi-line expression, a broken one, a good one.
    @Test func anErrorAfterAMultilineExpressionIsBlamedOnItsExpression() async throws {
        let errors = try await programErrors(["1 +\n2\n", ".[] as", ".x"])
        #expect(errors.map(\.index) == [1])
        #expect(errors.first?.error.message.contains("unexpected end of expression") == true)
        #expect(errors.first?.error.offset == 6)
    }

    @Test func errorsFirstMiddleAndLastAroundMultilineExpressions() async throws {
        let block = ".spec\n| .a\n| .b\n"
        // First.
        var errors = try await programErrors([". as", block, block, ".x"])
        #expect(errors.map(\.index) == [0])
        // Middle, between multi-line expressions.
        errors = try await programErrors([block, block, ".a | nope", block, ".x"])
        #expect(errors.map(\.index) == [2])
        #expect(errors.first?.error == JQSyntaxError(message: "nope/0 is not defined", offset: 5))
        // Last.
        errors = try await programErrors([block, ".x", block, "{a:}"])
        #expect(errors.map(\.index) == [3])
        // Several, each in its own expression, after many multi-line ones.
        errors = try await programErrors([block, "1 +", block, block, "$zz", block, ".[] as", ".ok"])
        #expect(errors.map(\.index) == [1, 4, 6])
        #expect(errors[1].error == JQSyntaxError(message: "$zz is not defined", offset: 0))
    }

    /// The error inside a multi-line expression is placed on its line and column.
    @Test func anErrorInsideAMultilineExpressionHasItsOffset() async throws {
        let expression = ".a\n| .b\n| nope\n| .c\n"
        let errors = try await programErrors(["1 +\n2 +\n3\n", expression, ".x"])
        #expect(errors.map(\.index) == [1])
        // "nope" starts at byte 10 (after ".a\n| .b\n| ").
        #expect(errors.first?.error == JQSyntaxError(message: "nope/0 is not defined", offset: 10))
    }

    /// Lines of only a comment or nothing count as lines too; a carriage return (not
    /// whitespace to jq 1.6) is an error of its own expression only.
    @Test func crlfAndCommentLinesDoNotShiftLaterExpressions() async throws {
        let errors = try await programErrors(["1 +\r\n2\r\n", "# just a comment\n.", "\n\n\n", ".a | nope", ". as"])
        #expect(errors.map(\.index) == [0, 2, 3, 4])
        #expect(errors[2].error == JQSyntaxError(message: "nope/0 is not defined", offset: 5))
    }

    /// A template's placeholders are compiled as one program too.
    @Test func templatePlaceholdersAfterAMultilineOneAreBlamedRight() async throws {
        let value: JSON = [
            "a": "${{ if .x then\n  1\nelse\n  2\nend }}",
            "b": "${{ .[] as }}",
            "c": "text ${{ .y }} more",
        ]
        let issues = try await deadline {
            do {
                _ = try JQTemplate(value)
                return [JQTemplateIssue]()
            } catch let error as JQTemplateError {
                return error.issues
            }
        }
        #expect(issues.map(\.path) == [["b"]])
        // "${{ .[] as }}": the expression starts at byte 4 and ends after 6 bytes.
        #expect(issues.first?.offsetInString == 10)
    }

    /// Whatever libjq says, the attribution ends: 60 random programs of broken and
    /// multi-line expressions each compile (or fail) within the deadline, and every
    /// expression blamed is one that does not compile alone.
    @Test func randomMixesAlwaysEndAndBlameOnlyBrokenExpressions() async throws {
        let pieces = [
            ".a", "1 +\n2", ".spec\n| .x\n", ". as", ".a | nope", "{a:}", "$zz", "[.[] |\n select(.)]",
            "\"s\\(.a)\"", "# c\n.", "if . then 1 else\n2 end", "reduce .[] as $x (0;\n . + $x)", "..a", "1 +",
        ]
        let brokenAlone = pieces.map { JQ.check($0) != nil }
        var generator = SplitMix(seed: 18)
        for _ in 0..<60 {
            let count = 1 + Int(generator.next() % 6)
            let chosen = (0..<count).map { _ in Int(generator.next() % UInt64(pieces.count)) }
            let expressions = chosen.map { pieces[$0] }
            let errors = try await programErrors(expressions)
            let broken = chosen.indices.filter { brokenAlone[chosen[$0]] }
            #expect(errors.map(\.index) == broken, "\(expressions)")
        }
    }

    // MARK: - Helpers

    private func programErrors(_ expressions: [String]) async throws -> [JQExpressionError] {
        try await deadline {
            do {
                _ = try JQProgram(expressions: expressions)
                return []
            } catch let error as JQProgramError {
                return error.errors
            }
        }
    }
}

/// Runs `work` in a task of its own and waits at most `seconds` for it; a hang fails the
/// test (the spinning task is left behind) instead of blocking the whole suite.
func deadline<T: Sendable>(seconds: Int = 30, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.start(continuation)
        Task.detached { race.finish(Result { try work() }) }
        race.timer = Task.detached {
            try await Task.sleep(for: .seconds(seconds))
            race.finish(.failure(DeadlineExceeded(seconds: seconds)))
        }
    }
}

/// No answer within the deadline: the work hangs (thrown to the test, which fails).
struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Int
    var description: String { "no answer within \(seconds) s: it hangs" }
}

/// The first of a result and a timeout to arrive resumes the waiting test.
private final class Race<T: Sendable>: Sendable {
    private let pending = Mutex<CheckedContinuation<T, any Error>?>(nil)
    private let timerTask = Mutex<Task<Void, any Error>?>(nil)

    var timer: Task<Void, any Error>? {
        get { timerTask.withLock { $0 } }
        set { timerTask.withLock { $0 = newValue } }
    }

    func start(_ continuation: CheckedContinuation<T, any Error>) { pending.withLock { $0 = continuation } }

    /// True when this call resumed the waiter.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = pending.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        if case .success = result { timer?.cancel() }
        return true
    }
}

/// A small seeded generator, so that the random cases are the same on every run.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
