import Scenarios
import Testing

/// Each action and each expectation of the scenario language, run on the shipped
/// operators: every expectation is shown to pass when it holds and to fail — at its
/// file:line:col, with expected and found — when it does not.
@Suite struct ScenarioRunnerTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static let mysql = """
        objects:
          - {apiVersion: otus.homework/v1, kind: MySQL, metadata: {name: db}, spec: {image: "mysql:5.7", database: d, password: p1, storage_size: 1Gi}}
        """

    /// Runs one scenario whose body starts at line 3 of t.yaml.
    func run(_ body: String, operator name: String = "mysql") async throws -> ScenarioResult {
        let text = "name: t\noperator: \(Self.root)/handlers/\(name)\n" + body
        let (scenarios, diagnostics) = ScenarioParser.parse(text: text, file: "t.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return await ScenarioRunner().run(try #require(scenarios.first))
    }

    func failure(_ r: ScenarioResult) throws -> ScenarioFailure {
        try #require(r.failures.first, "the scenario passed")
    }

    // MARK: Actions

    @Test func createFailJobAndTheObjectExpectations() async throws {
        let ok = try await run(Self.mysql + """

            steps:
              - failJob: {prefix: restore-, message: no dump}
                expect:
                  - object: {kind: MySQL, name: db}
                    jq: .status.mysql_on_create.message
                    equals: mysql-instance created without restore-job
                  - object: {kind: Deployment, name: db}
                    jq: .spec.replicas == 1
                  - object: {apiVersion: batch/v1, kind: Job, name: restore-db-job}
                    exists: true
                  - object: {kind: Pod, name: nothing}
                    exists: false
            """)
        #expect(ok.passed, "\(ok.failures.map { ScenarioReport.failure($0) })")
        #expect(ok.stepsRun == 1)
        let bad = try await run(Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
                expect:
                  - object: {kind: MySQL, name: db}
                    jq: .status.mysql_on_create.message
                    equals: mysql-instance created with restore-job
                  - object: {kind: Deployment, name: db}
                    jq: .spec.replicas == 2
                  - object: {kind: Deployment, name: other}
                    exists: true
                  - object: {kind: Deployment, name: db}
                    exists: false
            """)
        let marks = bad.failures.map { "\($0.mark.line):\($0.mark.column)" }
        #expect(marks == ["8:9", "11:9", "13:9", "15:9"])
        #expect(bad.failures[0].expected == "\"mysql-instance created with restore-job\"\n")
        #expect(bad.failures[0].found == "\"mysql-instance created without restore-job\"\n")
        #expect(bad.failures[1].message == "Deployment db: .spec.replicas == 2 is not true")
        #expect(bad.failures[1].context?.contains("replicas: 1") == true)
        #expect(bad.failures[2].context == "Deployment objects in default: db")
        #expect(bad.failures[0].log.contains { $0.contains("handler succeeded") && $0.contains("handler=mysql_on_create") })
        #expect(bad.failures.allSatisfy { $0.step == 1 && $0.stepTitle == "failJob restore-db-job" })
    }

    @Test func updatePatchAnswersAndCommands() async throws {
        let r = try await run(Self.mysql + """

            answers:
              - {command: [mysqladmin], stdout: "ok\\n"}
            steps:
              - failJob: {name: restore-db-job}
              - update: {apiVersion: otus.homework/v1, kind: MySQL, metadata: {name: db}, spec: {image: "mysql:5.7", database: d, password: p2, storage_size: 1Gi}}
                expect:
                  - commands:
                      - {pod: db-, container: mysql, command: [mysqladmin, --user=root, --password=p1, --host=127.0.0.1, --port=3306, password, p2]}
              - answer: {command: [mysqladmin], exitCode: 1, stderr: denied}
              - patch: {kind: MySQL, name: db, merge: {spec: {password: p3}}}
                expect:
                  - commands:
                      - [mysqladmin, --user=root, --password=p2, --host=127.0.0.1, --port=3306, password, p3]
                  - event: {type: Warning, reason: HandlerRetrying, message: denied}
                  - commands:
                      - {pod: other-, command: [mysqladmin, --user=root, --password=p3, --host=127.0.0.1, --port=3306, password, p2]}
            """)
        let f = try failure(r)
        #expect(r.failures.count == 1)
        #expect(f.mark.line == 19 && f.step == 4)
        #expect(f.message == "the commands run in pods during this step differ (1 expected, 1 ran)")
        #expect(f.expected == "- pod: other-\n  command:\n  - mysqladmin\n  - --user=root\n  - --password=p3\n  - --host=127.0.0.1\n  - --port=3306\n  - password\n  - p2\n")
        #expect(f.found?.contains("- pod: db-") == true)
        #expect(f.found?.contains("--password=p2") == true)
    }

    @Test func streamStdinIsRecorded() async throws {
        let r = try await run(Self.mysql + """

              - {apiVersion: v1, kind: ConfigMap, metadata: {name: dump}, data: {dump.sql: "SELECT 1;"}}
            steps:
              - failJob: {name: restore-db-job}
              - patch: {kind: MySQL, name: db, merge: {spec: {restoreFrom: {configMap: dump}}}}
                expect:
                  - commands:
                      - {command: [mysql, --user=root, --password=p1, --host=127.0.0.1, --port=3306, d], stdin: "SELECT 2;"}
            """)
        let f = try failure(r)
        #expect(f.expected?.contains("stdin: SELECT 2;") == true)
        #expect(f.found?.contains("stdin: SELECT 1;") == true)
    }

    @Test func ranAndNotRanOfHandlersAndSteps() async throws {
        let body = Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
              - patch: {kind: MySQL, name: db, merge: {spec: {password: p2}}}
                expect:
                  - ran: [mysql_on_update, mysql_on_update/rotate, mysql_desired/0-apply]
                  - notRan: [mysql_on_create, mysql_restore]
            """
        #expect(try await run(body).passed)
        let bad = try await run(body.replacingOccurrences(of: "ran: [mysql_on_update,", with: "ran: [mysql_restore, mysql_on_update,")
            .replacingOccurrences(of: "notRan: [mysql_on_create,", with: "notRan: [mysql_on_update/2-scale,"))
        #expect(bad.failures.map(\.message) == ["did not run during this step: mysql_restore",
                                                 "ran during this step and should not have: mysql_on_update/2-scale"])
        #expect(bad.failures[0].found?.contains("- mysql_on_update/rotate\n") == true)
    }

    @Test func aSkippedStepDidNotRun() async throws {
        // The tenant's certificates handler has no `if:`; the release handler's when: is
        // false for a managed tenant: neither it nor its steps ran.
        let r = try await run("""
            objects:
              - file: \(Self.root)/handlers/certificates/crds/certificate.yaml
            steps:
              - create: {apiVersion: yopf.dev/v1, kind: Tenant, metadata: {name: t}, spec: {domains: [a.example.com]}}
                expect:
                  - notRan: [release, release/existing, cleanup]
                  - ran: [certificates/certificates]
            """, operator: "certificates")
        #expect(r.passed, "\(r.failures.map { ScenarioReport.failure($0) })")
    }

    @Test(arguments: [("409", "the object has been modified"), ("429", "Too many requests"), ("500", "injected by the scenario"),
                      ("Forbidden", "is forbidden")])
    func failCallsMakesTheNextCallsFail(error: String, words: String) async throws {
        let r = try await run("""
            objects:
              - file: \(Self.root)/handlers/certificates/crds/certificate.yaml
            steps:
              - failCalls: {verb: patch, resource: certificates, error: \(error), times: 2}
              - create: {apiVersion: yopf.dev/v1, kind: Tenant, metadata: {name: t}, spec: {domains: [a.example.com]}}
                expect:
                  - event: {type: Warning, reason: HandlerRetrying, message: "\(words)"}
                  - object: {kind: Certificate}
                    exists: false
                  - noEvent: {reason: HandlerSucceeded, message: "handler certificates"}
              - advance: 10s
                expect:
                  - noEvent: {reason: HandlerSucceeded, message: "handler certificates"}
              - advance: 20s
                expect:
                  - event: {reason: HandlerSucceeded, message: "handler certificates"}
                  - object: {kind: Certificate}
                    jq: length
                    equals: 1
            """, operator: "certificates")
        #expect(r.passed, "\(r.failures.map { ScenarioReport.failure($0) })")
    }

    @Test func eventExpectationsFailWithTheEventsFound() async throws {
        let r = try await run(Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
                expect:
                  - event: {reason: HandlerFailed}
                  - noEvent: {reason: HandlerSucceeded, kind: MySQL, name: db}
            """)
        #expect(r.failures.map(\.message) == ["no Event with reason HandlerFailed during this step",
                                               "an Event with reason HandlerSucceeded, about a MySQL, named db was posted during this step"])
        #expect(r.failures[0].found?.contains("Normal HandlerSucceeded MySQL/db: handler mysql_on_create succeeded") == true)
    }

    @Test func writesCountTheOperatorsWritesOnly() async throws {
        let r = try await run(Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
              # The scenario's own patch is not the operator's; mysql_desired applies once.
              - patch: {kind: Service, name: db, merge: {spec: {selector: {app: other}}}}
                expect:
                  - writes: {resource: services, count: 1}
                  - writes: {verb: delete, count: 0}
                  - writes: 0
            """)
        let f = try failure(r)
        #expect(r.failures.count == 1 && f.mark.line == 12)
        #expect(f.message.hasPrefix("the operator made "))
        #expect(f.found?.contains("- patch services default/db\n") == true)
    }

    @Test func advanceMovesVirtualTimeWithoutWaiting() async throws {
        let started = ContinuousClock.now
        let r = try await run("""
            start: "2026-01-05T02:00:00Z"
            objects:
              - {apiVersion: otus.homework/v1, kind: MySQL, metadata: {name: db}, spec: {image: "mysql:5.7", database: d, password: p1, storage_size: 1Gi}}
            steps:
              - failJob: {name: restore-db-job}
              - advance: 29m
                expect:
                  - notRan: [nightly_backup]
              - advance: 1m
                expect:
                  - ran: [nightly_backup/dump]
              - completeJob: {name: nightly-db}
              - advance: 72h
                expect:
                  - object: {kind: MySQL, name: db}
                    jq: .status.yopf.schedules.nightly_backup.nextRun
                    equals: "2026-01-08T02:30:00Z"
            """)
        #expect(r.passed, "\(r.failures.map { ScenarioReport.failure($0) })")
        #expect(r.virtualTime >= .seconds(72 * 3600))
        // A loose bound (the machine is shared): three days of virtual time, no waiting.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func killAndStartBetweenSteps() async throws {
        let r = try await run(Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
              - kill: true
              - patch: {kind: MySQL, name: db, merge: {spec: {password: p2}}}
                expect:
                  - notRan: [mysql_on_update]
                  - commands: []
              - start: true
                expect:
                  - ran: [mysql_on_update/rotate]
                  - notRan: [mysql_on_create]
                  - object: {kind: MySQL, name: db}
                    jq: .status.mysql_on_update.message
                    equals: password updated
            """)
        #expect(r.passed, "\(r.failures.map { ScenarioReport.failure($0) })")
    }

    @Test func historyIsTheObjectAfterEachChangeOfTheStep() async throws {
        let r = try await run(Self.mysql + """

            steps:
              - failJob: {name: restore-db-job}
              - patch: {kind: MySQL, name: db, merge: {spec: {password: p2}}}
                expect:
                  - object: {kind: Deployment, name: db}
                    history: true
                    jq: '[.[].spec.replicas] | reduce .[] as $r ([]; if .[-1] == $r then . else . + [$r] end)'
                    equals: [1, 0, 2]
            """)
        let f = try failure(r)
        #expect(f.expected == "- 1\n- 0\n- 2\n")
        #expect(f.found == "- 1\n- 0\n- 1\n")
    }

    @Test func anActionThatFailsIsAFailureOfItsStep() async throws {
        let r = try await run(Self.mysql + """

            steps:
              - completeJob: {name: no-such-job}
            """)
        let f = try failure(r)
        #expect(f.mark.line == 6 && f.step == 1)
        #expect(f.message == "the action failed: no Job named no-such-job in namespace default; the Jobs there: restore-db-job")
        let unknown = try await run("""
            steps:
              - delete: {kind: Frobnicator, name: x}
            """)
        #expect(try failure(unknown).message.contains("the cluster serves no kind Frobnicator"))
    }

    @Test func anOperatorWithProblemsFailsTheScenarioAtItsName() async throws {
        let (scenarios, _) = ScenarioParser.parse(text: "name: t\noperator: /nonexistent\nsteps: [{advance: 1s}]\n", file: "t.yaml")
        let r = await ScenarioRunner().run(try #require(scenarios.first))
        #expect(try failure(r).mark.line == 1)
        #expect(try failure(r).message.contains("/nonexistent"))
    }
}
