import JSONValue
import Testing

@testable import JQ

@Suite struct JQPoolTests {
    let object: JSON = ["metadata": ["name": "db1", "labels": ["app": "mysql"]], "spec": ["replicas": 3, "password": "s3cret"]]

    @Test func evaluatesExpressionsByIndex() async throws {
        let program = try JQProgram(expressions: [".metadata.name", ".spec.replicas + 1", "[.metadata.labels | keys[]]"])
        let pool = JQPool(program: program, maxWorkers: 2)
        #expect(try await pool.evaluateFirst(0, input: object) == "db1")
        #expect(try await pool.evaluateFirst(1, input: object) == .int(4))
        #expect(try await pool.evaluate(2, input: object) == [["app"]])
        #expect(program.expressions.count == 3)
    }

    @Test func keepsIntegersAndObjectOrder() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["{b: 1, a: 2.5, c: [null, true, \"x\"]}"]))
        let result = try await pool.evaluateFirst(0, input: .null)
        guard case .object(let members) = result else { Issue.record("not an object: \(result)"); return }
        #expect(Array(members.keys) == ["b", "a", "c"])
        #expect(members["b"] == .int(1))
        if case .int = members["b"] {} else { Issue.record("1 should stay an int") }
        #expect(members["a"] == .double(2.5))
        #expect(members["c"] == [.null, true, "x"])
    }

    @Test func roundTripsValues() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["."]))
        let value: JSON = ["s": "ünïcode ✓ \u{0}nul", "n": -12, "d": 0.125, "big": .int(1 << 40), "a": [[], [:], false]]
        #expect(try await pool.evaluateFirst(0, input: value) == value)
    }

    @Test func bindsVariablesAndMissingOnesAreNull() async throws {
        let program = try JQProgram(expressions: ["$old.spec.password + \">\" + $new.spec.password", "$steps", "[$item, $index]"])
        let pool = JQPool(program: program)
        let old: JSON = ["spec": ["password": "a"]]
        let new: JSON = ["spec": ["password": "b"]]
        #expect(try await pool.evaluateFirst(0, input: object, variables: ["old": old, "new": new]) == "a>b")
        #expect(try await pool.evaluateFirst(1, input: object) == .null)
        #expect(try await pool.evaluateFirst(2, input: object, variables: ["item": "x", "index": 2, "unknown": 1]) == ["x", 2])
    }

    @Test func customVariables() async throws {
        let program = try JQProgram(expressions: ["$a + $b"], variables: ["a", "b"])
        #expect(program.variables == ["a", "b"])
        #expect(try await JQPool(program: program).evaluateFirst(0, input: .null, variables: ["a": 1, "b": 2]) == .int(3))
        #expect(throws: JQProgramError.self) { try JQProgram(expressions: ["1"], variables: ["bad-name"]) }
        #expect(throws: JQProgramError.self) { try JQProgram(expressions: ["1"], variables: ["if"]) }
    }

    @Test func multipleAndNoOutputs() async throws {
        let pool = JQPool(program: try JQProgram(expressions: [".[]", "empty", "range(3)"]))
        #expect(try await pool.evaluate(0, input: [1, "two", [3]]) == [1, "two", [3]])
        #expect(try await pool.evaluate(1, input: .null) == [])
        #expect(try await pool.evaluateFirst(1, input: .null) == .null)
        #expect(try await pool.evaluateFirst(2, input: .null) == .int(0))
    }

    @Test func runtimeErrorsCarryJqsMessage() async throws {
        let pool = JQPool(program: try JQProgram(expressions: [".a.b", "error(\"boom\")", "error({code: 1})", "try error(\"x\") catch ."]), maxWorkers: 1)
        await #expect { try await pool.evaluate(0, input: ["a": "text"]) } throws: { error in
            (error as? JQEvaluationError)?.message == "Cannot index string with string \"b\""
        }
        await #expect { try await pool.evaluate(1, input: .null) } throws: { error in
            (error as? JQEvaluationError)?.message == "boom"
        }
        await #expect { try await pool.evaluate(2, input: .null) } throws: { error in
            (error as? JQEvaluationError)?.value == ["code": 1]
        }
        // The same worker keeps working after errors.
        #expect(try await pool.evaluateFirst(3, input: .null) == "x")
        #expect(try await pool.evaluateFirst(0, input: ["a": ["b": 7]]) == .int(7))
    }

    @Test func haltAndHaltError() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["1, halt, 2", "\"stop\" | halt_error(3)", "."]), maxWorkers: 1)
        #expect(try await pool.evaluate(0, input: .null) == [1])
        await #expect { try await pool.evaluate(1, input: .null) } throws: { error in
            (error as? JQEvaluationError)?.message == "stop"
        }
        #expect(try await pool.evaluate(2, input: 5) == [5])
        #expect(try await pool.evaluate(0, input: .null) == [1])
    }

    @Test func runawayExpressionsStop() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["repeat(1)", "range(1e9)"]), maxWorkers: 1)
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(0, input: .null) }
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(1, input: .null) }
        #expect(try await pool.evaluateFirst(0, input: .null) == .int(1))
    }

    @Test func inputLocAndUnknownIndex() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["input", "[inputs]", "$__loc__ | keys", "1"]))
        await #expect { try await pool.evaluate(0, input: .null) } throws: { error in
            (error as? JQEvaluationError)?.message.hasPrefix("No more inputs") == true
        }
        #expect(try await pool.evaluateFirst(1, input: .null) == [])
        #expect(try await pool.evaluateFirst(2, input: .null) == ["file", "line"])
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(4, input: .null) }
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(-1, input: .null) }
    }

    @Test func twoPoolsFromOneProgram() async throws {
        let program = try JQProgram(expressions: [". * 2"])
        let first = JQPool(program: program, maxWorkers: 1)
        let second = JQPool(program: program, maxWorkers: 1)
        #expect(try await first.evaluateFirst(0, input: 2) == .int(4))
        #expect(try await second.evaluateFirst(0, input: 3) == .int(6))
    }

    @Test func manyExpressionsDispatchCorrectly() async throws {
        let expressions = (0..<37).map { "[\($0), .]" }
        let pool = JQPool(program: try JQProgram(expressions: expressions))
        for index in 0..<37 {
            #expect(try await pool.evaluateFirst(index, input: "in") == [.int(index), "in"])
        }
    }
}

@Suite struct JQPoolEdgeTests {
    @Test func deeplyNestedResultsAreAnErrorNotACrash() async throws {
        let pool = JQPool(program: try JQProgram(expressions: ["reduce range(20000) as $i (0; [.])", "reduce range(100) as $i (0; [.]) | flatten"]))
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(0, input: .null) }
        #expect(try await pool.evaluateFirst(1, input: .null) == [0])
    }

    @Test func definitionsAndLabelsInsideAnExpression() async throws {
        let pool = JQPool(program: try JQProgram(expressions: [
            "def double: . * 2; map(double)",
            "label $out | foreach .[] as $x (0; . + $x; if . > 3 then ., break $out else empty end)",
            "limit(2; repeat(1))",
        ]))
        #expect(try await pool.evaluateFirst(0, input: [1, 2]) == [2, 4])
        #expect(try await pool.evaluate(1, input: [1, 2, 3, 4]) == [6])
        #expect(try await pool.evaluate(2, input: .null) == [1, 1])
        #expect(JQ.check("import \"x\" as x; .") != nil)
    }
}
