import Spec
import Testing

/// One test per validation rule, each asserting the exact `file:line:col: message`.
/// Handlers written with `Fixtures.problems(handlers:)` start on line 8.
@Suite struct RuleTests {
    // MARK: - Fields and types

    @Test func unknownFieldSuggestsTheClosestKnownOne() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  stpes: []
            """) == ["op.yaml:10:7: unknown field \"stpes\" in handler (did you mean \"steps\"?)"])
    }

    @Test func unknownFieldFarFromAnyKnownOneHasNoHint() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  colour: red
            """) == ["op.yaml:10:7: unknown field \"colour\" in handler"])
    }

    @Test func wrongTypeSaysWhatWasExpectedAndWhatWasFound() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps: apply
            """) == ["op.yaml:10:14: steps: expected a list of steps, got a string"])
    }

    @Test func missingRequiredFieldIsReportedAtItsObject() {
        #expect(Fixtures.problems(handlers: """
                - on: create
                  steps: []
            """) == ["op.yaml:8:7: missing required field \"id\" in handler"])
    }

    @Test func invalidEnumValueListsTheAllowedOnesAndSuggests() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: crate
            """) == [
                "op.yaml:9:11: on: invalid value \"crate\" (expected one of: create, update, delete, resume, timer, reconcile, schedule) (did you mean \"create\"?)",
            ])
    }

    @Test func invalidOnErrorValue() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - status: {phase: ready}
                      onError: ignore
            """) == ["op.yaml:12:20: onError: invalid value \"ignore\" (expected one of: fail, continue)"])
    }

    @Test func invalidHandlerId() {
        #expect(Fixtures.problems(handlers: """
                - id: On Create
                  on: create
            """) == [
                "op.yaml:8:11: invalid handler id \"On Create\": use lowercase letters, digits, \"-\" and \"_\", starting with a letter (at most 63 characters)",
            ])
    }

    // MARK: - The operator file itself

    @Test func wrongApiVersionAndKind() {
        #expect(Fixtures.problems("""
            apiVersion: yopf.dev/v1
            kind: Operators
            metadata: {name: demo}
            spec:
              watch: {version: v1, plural: demos}
              handlers: [{id: a, on: create}]
            """) == [
                "op.yaml:1:13: unsupported apiVersion \"yopf.dev/v1\": this yopf reads \"yopf.dev/v1alpha1\"",
                "op.yaml:2:7: kind must be \"Operator\", got \"Operators\"",
            ])
    }

    @Test func watchNeedsPluralOrKind() {
        #expect(Fixtures.problems("""
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: demo}
            spec:
              watch:
                group: example.com
                version: v1
              handlers: [{id: a, on: create}]
            """) == [
                "op.yaml:6:5: watch needs \"plural\" (e.g. mysqls) or \"kind\" (e.g. MySQL) to name the watched resource",
            ])
    }

    @Test func emptyHandlerListIsRefused() {
        #expect(Fixtures.problems("""
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: demo}
            spec:
              watch: {version: v1, kind: Demo}
              handlers: []
            """) == ["op.yaml:6:13: handlers: the list is empty; an operator needs at least one handler"])
    }

    @Test func yamlSyntaxErrorOfTheOperatorFile() {
        #expect(Fixtures.problems("""
            apiVersion: yopf.dev/v1alpha1
            kind: [Operator
            """).count == 1)
    }

    // MARK: - Handlers

    @Test func duplicateHandlerId() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                - id: a
                  on: update
            """) == ["op.yaml:10:11: duplicate handler id \"a\" (first defined at line 8)"])
    }

    @Test func fieldOnlyOnUpdateHandlers() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  field: spec.password
            """) == ["op.yaml:10:7: \"field\" only applies to update handlers (handler \"a\" is on: create)"])
    }

    @Test func timerNeedsInterval() {
        #expect(Fixtures.problems(handlers: """
                - id: tick
                  on: timer
            """) == ["op.yaml:9:11: timer handler \"tick\" needs \"interval\" (e.g. interval: 10m)"])
    }

    @Test func intervalOnlyOnTimers() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: resume
                  interval: 10m
            """) == ["op.yaml:10:7: \"interval\" only applies to timer handlers (handler \"a\" is on: resume)"])
    }

    @Test func invalidDuration() {
        #expect(Fixtures.problems(handlers: """
                - id: tick
                  on: timer
                  interval: 10min
                  timeout: 30
            """) == [
                "op.yaml:10:17: interval: invalid duration \"10min\": write a whole number with a unit (ms, s, m, h), e.g. 30s, 10m or 1h30m",
                "op.yaml:11:16: timeout: invalid duration \"30\": write a whole number with a unit (ms, s, m, h), e.g. 30s, 10m or 1h30m",
            ])
    }

    // MARK: - Steps

    @Test func unknownStepKindSuggestsTheClosest() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - aply: templates/deployment.yaml
            """) == ["op.yaml:11:11: unknown step kind \"aply\" (did you mean \"apply\"?)"])
    }

    @Test func stepWithoutKind() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - name: nothing
            """) == [
                "op.yaml:11:11: the step does nothing: give it one of apply, create, patch, delete, get, list, exec, stream, scale, job, wait, status, event, fail, run",
            ])
    }

    @Test func stepWithTwoKinds() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - apply: templates/deployment.yaml
                      status: {phase: ready}
            """) == [
                "op.yaml:12:11: a step does one thing, this one has 2 kinds (\"apply\", \"status\"): split it into separate steps",
            ])
    }

    @Test func unknownFieldInAStepNamesTheStepKind() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - apply: templates/deployment.yaml
                      ifExist: keep
            """) == ["op.yaml:12:11: unknown field \"ifExist\" in apply step (did you mean \"ifExists\"?)"])
    }

    @Test func duplicateStepName() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - name: s
                      status: {phase: one}
                    - name: s
                      status: {phase: two}
            """) == ["op.yaml:13:17: duplicate step name \"s\" in handler \"a\" (first used at line 11)"])
    }

    @Test func jobTemplateMustBeAJob() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - job: templates/deployment.yaml
            """) == ["op.yaml:11:16: a job step needs a Job (batch/v1), got a Deployment"])
    }

    @Test func patchNeedsMergeOrJson() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - patch: {kind: ConfigMap, name: x}
            """) == ["op.yaml:11:18: patch needs \"merge\" (an object) or \"json\" (a list of operations)"])
    }

    @Test func waitNeedsConditionOrUntil() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - wait: {kind: Deployment, name: x}
            """) == [
                "op.yaml:11:17: wait needs \"condition\" (a condition type such as Ready) or \"until\" (a jq predicate)",
            ])
    }

    @Test func streamTakesOneStdinSource() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - stream:
                        pod: db-0
                        command: [mysql]
                        stdin: {file: /dump.sql, value: .spec.sql}
            """) == ["op.yaml:14:38: stdin takes one source, got \"file\" and \"value\""])
    }

    @Test func scaleReplicasMustBeACountOrATemplate() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - scale: {kind: Deployment, name: x, replicas: two}
            """) == [
                "op.yaml:11:56: replicas: expected a whole number of at least 0 or a ${{ }} template, got a string",
            ])
    }

    @Test func eventReasonIsUpperCamelCase() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - event: {reason: backup done, message: ok}
            """) == ["op.yaml:11:27: reason: \"backup done\" must be UpperCamelCase letters and digits, e.g. BackupDone"])
    }

    @Test func kindOfATargetMustBeWrittenOut() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - delete: {kind: '${{ .spec.kind }}', name: x}
            """) == [
                "op.yaml:11:26: kind: must be written out, not a template (yopf manifests derives RBAC rules from it)",
            ])
    }

    // MARK: - Template files

    @Test func templateFileNotFoundIsReportedAtItsPath() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - apply: templates/nope.yaml
            """) == [
                "op.yaml:11:18: template file \"templates/nope.yaml\" not found (looked for \(Fixtures.folder)/inline/templates/nope.yaml)",
            ])
    }

    @Test func manifestKindInATemplateFileMustBeWrittenOut() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - apply: templates/templated-kind.yaml
            """) == [
                "\(Fixtures.folder)/inline/templates/templated-kind.yaml:2:7: kind: must be written out, not a template (yopf manifests derives RBAC rules from it)",
            ])
    }

    // MARK: - jq expressions, located inside the expression

    @Test func jqErrorInAPlainScalarPointsIntoIt() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  when: .spec.size > 3 and )
            """) == ["op.yaml:10:32: jq error in when: syntax error: unmatched ')'"])
    }

    @Test func jqErrorInADoubleQuotedScalarCountsEscapes() {
        #expect(Fixtures.problems(handlers: #"""
                - id: a
                  on: create
                  when: "(.a == \"x\") )"
            """#) == ["op.yaml:10:28: jq error in when: syntax error: unmatched ')'"])
    }

    @Test func jqErrorInALiteralBlockPointsToItsLine() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  when: |
                    .spec.size > 3
                    and (.spec.name | ])
            """) == ["op.yaml:12:27: jq error in when: syntax error: ']' does not match the '(' at byte 19"])
    }

    @Test func jqErrorInsideATemplateString() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - status: {message: 'size is ${{ .spec.size + }} now'}
            """) == ["op.yaml:11:54: jq error in status: syntax error, unexpected end of expression"])
    }

    @Test func undefinedVariableIsAJqError() {
        let problems = Fixtures.problems(handlers: """
                - id: a
                  on: create
                  when: $nope.x
            """)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("op.yaml:10:13: jq error in when: ") == true)
    }

    @Test func allBrokenExpressionsAreReportedNotJustTheFirst() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  when: .a |
                  result: '{x: }'
            """).count == 2)
    }

    // MARK: - $steps references

    @Test func stepsReferenceToAnUnknownStep() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - name: dump
                      status: {phase: one}
                  result: '{out: $steps.dumb.stdout}'
            """) == ["op.yaml:13:22: $steps.dumb: handler \"a\" has no step named \"dumb\" (did you mean \"dump\"?)"])
    }

    @Test func stepsReferenceToALaterStep() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - if: '$steps.second.ok'
                      status: {phase: one}
                    - name: second
                      status: {phase: two}
            """) == [
                "op.yaml:11:16: $steps.second refers to a step that runs later (step 2 of handler \"a\"); only earlier steps' outputs are available",
            ])
    }

    @Test func stepsReferenceToTheStepItself() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - name: me
                      status: {phase: '${{ $steps.me.ok }}'}
            """) == ["op.yaml:12:32: $steps.me is this step's own output, which does not exist yet"])
    }

    @Test func stepsReferencesToEarlierStepsAreFine() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - name: first
                      status: {phase: one}
                    - status: {phase: '${{ $steps.first.ok }}', other: '${{ $steps["first"] }}'}
                  result: '"\\($steps.first.ok)"'
            """) == [])
    }
}

/// Schedule handlers: what they need and what only they may have.
@Suite struct ScheduleRuleTests {
    @Test func aScheduleNeedsACron() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: schedule
            """) == ["op.yaml:9:11: schedule handler \"a\" needs \"cron\" (e.g. cron: \"0 2 * * *\" or @daily)"])
    }

    @Test func cronErrorsPointIntoTheExpression() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: schedule
                  cron: "0 61 * * *"
            """) == ["op.yaml:10:16: cron: hour field: 61 is out of range 0-23"])
    }

    @Test func unknownTimeZoneSuggests() {
        let problems = Fixtures.problems(handlers: """
                - id: a
                  on: schedule
                  cron: "@daily"
                  timeZone: Europe/Berln
            """)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("op.yaml:11:17: timeZone: unknown time zone \"Europe/Berln\"") == true, "\(problems)")
    }

    @Test func cronOnlyOnSchedules() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  cron: "@daily"
            """) == ["op.yaml:10:7: \"cron\" only applies to schedule handlers (handler \"a\" is on: create)"])
    }
}
