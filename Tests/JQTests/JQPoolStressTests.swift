import JSONValue
import Testing

@testable import JQ

/// Many tasks through one pool at once: every result is checked. Run it under
/// `swift test --sanitize=address` too (libjq is not thread-safe; the pool must keep every
/// jq_state and jv to one task at a time).
@Suite struct JQPoolStressTests {
    static let expressions = [
        ".metadata.name + \"-\" + ($index | tostring)",
        "[.spec.hosts[] | registered_domain] | unique",
        ".spec.hosts | map(dns_label) | join(\",\")",
        "$item * 2",
        "[range(.spec.count)] | add",
        "try error(\"e\\($index)\") catch .",
    ]

    static let shared: JSON = [
        "metadata": ["name": "shared"],
        "spec": ["hosts": ["a.example.com", "B.Example.COM", "x.github.io"], "count": 10],
    ]

    @Test(arguments: [1, 3, 8])
    func concurrentEvaluationsAreCorrect(workers: Int) async throws {
        let pool = JQPool(program: try JQProgram(expressions: Self.expressions), maxWorkers: workers)
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for round in 0..<150 {
                        let own: JSON = [
                            "metadata": ["name": .string("t\(task)")],
                            "spec": ["hosts": [.string("h\(round).t\(task).example.co.uk")], "count": .int(round % 7)],
                        ]
                        let input = round % 2 == 0 ? Self.shared : own
                        let name = input[path: "metadata.name"]?.string ?? ""
                        let index = task * 1000 + round
                        let vars: [String: JSON] = ["index": .int(index), "item": .int(round)]
                        let expression = round % Self.expressions.count
                        let result = try await pool.evaluateFirst(expression, input: input, variables: vars)
                        let expected: JSON
                        switch expression {
                        case 0: expected = .string("\(name)-\(index)")
                        case 1: expected = round % 2 == 0 ? ["example.com", "github.io"].map(JSON.string).isEmpty ? .null : ["example.com", "x.github.io"] : ["example.co.uk"]
                        case 2: expected = round % 2 == 0 ? "a-example-com,b-example-com,x-github-io" : .string("h\(round)-t\(task)-example-co-uk")
                        case 3: expected = .int(round * 2)
                        case 4:
                            let count = round % 2 == 0 ? 10 : round % 7
                            expected = count == 0 ? .null : .int(count * (count - 1) / 2)
                        default: expected = .string("e\(index)")
                        }
                        if result != expected { failures += 1 }
                    }
                    return failures
                }
            }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        #expect(failures == 0)
    }
}
