import Scenarios
import Spec
import Testing

/// What `yopf test` and `yopf check` say about a scenario file that is wrong: each
/// problem at its file:line:col, and no scenario run from a file with problems.
@Suite struct ScenarioParserTests {
    func problems(_ text: String) -> [String] {
        let (scenarios, diagnostics) = ScenarioParser.parse(text: text, file: "t/tests/s.yaml")
        if !diagnostics.isEmpty { #expect(scenarios.isEmpty, "a file with problems runs nothing") }
        return diagnostics.map(\.description)
    }

    @Test func aGoodFileHasItsScenariosStepsAndPlaces() throws {
        let (scenarios, diagnostics) = ScenarioParser.parse(text: """
            name: one
            steps:
              - create: {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}
                expect:
                  - object: {kind: ConfigMap, name: c}
                    jq: .metadata.name
                    equals: c
            ---
            name: two
            start: "2026-03-01T02:00:00Z"
            steps:
              - advance: 1h30m
              - restart:
              - kill: true
            """, file: "t/tests/s.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(scenarios.map(\.name) == ["one", "two"])
        #expect(scenarios[0].operatorPath == "t", "the folder above tests/")
        #expect(scenarios[0].steps[0].mark.description == "t/tests/s.yaml:3:5")
        #expect(scenarios[0].steps[0].expectations[0].mark.line == 5)
        #expect(scenarios[1].mark.line == 9)
        #expect(scenarios[1].startMicroseconds == 1_772_330_400 * 1_000_000)
        guard case .advance(let d)? = scenarios[1].steps[0].action else { Issue.record("not an advance"); return }
        #expect(d == .seconds(5400))
        #expect(scenarios[0].program != nil)
    }

    @Test func unknownKeysAreReportedAtTheKeyWithASuggestion() {
        #expect(problems("""
            name: x
            stpes: []
            """).contains { $0.hasPrefix("t/tests/s.yaml:2:1: unknown key \"stpes\" in a scenario (did you mean \"steps\"?)") })
        #expect(problems("""
            name: x
            steps:
              - advance: 1m
                expct: []
            """) == ["t/tests/s.yaml:4:5: unknown key \"expct\" in a step (did you mean \"expect\"?); known keys: name, expect, create, update, patch, delete, advance, completeJob, failJob, answer, failCalls, kill, start, restart"])
    }

    @Test func anUnknownActionOrExpectationIsNamed() {
        let p = problems("""
            name: x
            steps:
              - scale: {kind: Deployment}
              - expect:
                  - objcet: {kind: Pod}
            """)
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:3:5: unknown key \"scale\" in a step") })
        #expect(p.count == 2, "the unknown key is the one problem of that step: \(p)")
        #expect(p.contains("t/tests/s.yaml:5:9: unknown expectation \"objcet\" (did you mean \"object\"?); use one of object, ran, notRan, event, noEvent, commands, writes"))
    }

    @Test func badJqIsReportedWhereItIsWritten() {
        let p = problems("""
            name: x
            steps:
              - expect:
                  - object: {kind: Pod, name: p}
                    jq: '.status | frobnicate'
            """)
        #expect(p.count == 1)
        #expect(p.first?.hasPrefix("t/tests/s.yaml:5:13: jq: ") == true, "\(p)")
        #expect(p.first?.contains("frobnicate") == true, "\(p)")
    }

    @Test func objectsNeedAKindAndAName() {
        let p = problems("""
            name: x
            objects:
              - apiVersion: v1
                metadata: {name: a}
              - apiVersion: v1
                kind: ConfigMap
                metadata: {labels: {}}
            steps:
              - create: {apiVersion: v1, kind: Pod}
            """)
        #expect(p.contains("t/tests/s.yaml:3:5: objects[0]: the object has no kind"))
        #expect(p.contains("t/tests/s.yaml:7:15: objects[1]: the object has no metadata.name"))
        #expect(p.contains("t/tests/s.yaml:9:13: steps[0].create: the object has no metadata.name"))
    }

    @Test func oneActionPerStepAndActionsTakeTheirShape() {
        let p = problems("""
            name: x
            steps:
              - advance: 1m
                restart: true
              - advance: soon
              - failCalls: {verb: patch, error: 418}
              - failCalls: {verb: pacth, error: Conflict}
              - failJob: {exitCode: 2}
              - patch: {kind: MySQL, name: db1}
              - kill: 3
              - answer: {stdout: hi}
            """)
        #expect(p.contains("t/tests/s.yaml:4:5: a step has one action; this one has advance and restart (make two steps)"))
        #expect(p.contains("t/tests/s.yaml:5:14: advance: expected a duration like 30s, 5m or 1h30m"))
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:6:37: error: expected 409 (Conflict), 429 (TooManyRequests), 500 (InternalError) or 403 (Forbidden)") })
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:7:23: unknown verb \"pacth\" (did you mean \"patch\"?)") })
        #expect(p.contains("t/tests/s.yaml:8:14: steps[4].failJob: give the Job's name: or a prefix: of it (one of the two)"))
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:9:12: patch: merge is required") })
        #expect(p.contains("t/tests/s.yaml:10:11: kill: takes no value (write kill: true)"))
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:11:13: steps[7].answer: command is required") })
    }

    @Test func expectationsTakeTheirShape() {
        let p = problems("""
            name: x
            steps:
              - expect:
                  - object: {kind: Pod, name: p}
                  - object: {name: p}
                    exists: true
                  - writes: {verb: get, count: 1}
                  - ran: []
                  - object: {kind: Pod}
                    history: true
                    jq: length
                  - commands: {command: [ls]}
            """)
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:4:9: object: say what must hold") })
        #expect(p.contains("t/tests/s.yaml:5:17: steps[0].expect[1].object: kind is required"))
        #expect(p.contains("t/tests/s.yaml:7:24: writes.verb: one of create, update, patch, delete"))
        #expect(p.contains("t/tests/s.yaml:8:14: ran: the list is empty"))
        #expect(p.contains("t/tests/s.yaml:10:9: history: needs an object with a name, and jq: (not exists:)"))
        #expect(p.contains { $0.hasPrefix("t/tests/s.yaml:12:19: commands: expected a list of commands") })
    }

    @Test func aFileWithoutAScenarioOrWithTwoOfTheSameNameIsAProblem() {
        #expect(problems("# nothing\n") == ["t/tests/s.yaml:1:1: no scenario in this file (a scenario is a document with name: and steps:)"])
        #expect(problems("name: a\nsteps: [{advance: 1s}]\n---\nname: a\nsteps: [{advance: 1s}]\n")
            == ["t/tests/s.yaml:4:7: a second scenario named \"a\" (the first is at line 1); --run needs names that differ"])
        #expect(problems("name: [\n") .first?.hasPrefix("t/tests/s.yaml:") == true)
        #expect(problems("- a\n- b\n") == ["t/tests/s.yaml:1:1: the document: expected a scenario (an object), found a list"])
    }

    @Test func handlerAndStepNamesAreCheckedAgainstTheOperator() throws {
        let (operators, d) = OperatorLoader.load(paths: [ScenarioRunnerTests.root + "/handlers/mysql"])
        let loaded = try #require(operators.first, "\(d)")
        let (scenarios, diagnostics) = ScenarioParser.parse(text: """
            name: x
            steps:
              - expect:
                  - ran: [mysql_on_updte, mysql_on_update/rotate, mysql_on_update/rotat]
            """, file: "s.yaml")
        #expect(diagnostics.isEmpty)
        let problems = ScenarioParser.validate(try #require(scenarios.first), against: loaded).map(\.description)
        #expect(problems == [
            "s.yaml:4:9: no handler \"mysql_on_updte\" in \(loaded.file) (did you mean \"mysql_on_update\"?)",
            "s.yaml:4:9: handler mysql_on_update has no step \"rotat\" (its steps: rotate, 1-apply, 2-scale, 3-scale)",
        ])
    }
}
