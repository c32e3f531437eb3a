import Spec
import Testing

/// The ranges of numbers and durations (issue 18: `factor: 1e20` passed `yopf check` and
/// crashed `yopf run` at the first failure). Each out-of-range value is reported at its
/// `file:line:col`; handlers written with `Fixtures.problems(handlers:)` start on line 8.
@Suite struct RangeTests {
    @Test func theIssuesBackoffIsRefusedAtItsFactor() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  backoff: {initial: 5s, max: 5m, factor: 1e20}
            """) == ["op.yaml:10:47: factor: must be from 1 to 100, got 1e+20"])
    }

    @Test func backoffBoundsEachField() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  backoff:
                    initial: 0s
                    max: 99999999999h
                    factor: 0.5
            """) == [
                "op.yaml:11:18: initial: must be at least 100ms, got 0s",
                "op.yaml:12:14: max: must be at most 8760h (a year), got 99999999999h",
                "op.yaml:13:17: factor: must be from 1 to 100, got 0.5",
            ])
    }

    @Test func handlerDurationsAndRetriesAreBounded() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  retries: 99999999999
                  timeout: 0s
                - id: b
                  on: timer
                  interval: 0ms
                  initialDelay: 99999999999h
                - id: c
                  on: timer
                  interval: 8761h
                  timeout: 9223372036854775807ms
            """) == [
                "op.yaml:10:16: retries: must be at most 1000000, got 99999999999",
                "op.yaml:11:16: timeout: must be at least 1ms, got 0s",
                "op.yaml:14:17: interval: must be at least 100ms, got 0ms",
                "op.yaml:15:21: initialDelay: must be at most 8760h (a year), got 99999999999h",
                "op.yaml:18:17: interval: must be at most 8760h (a year), got 8761h",
                "op.yaml:19:16: timeout: must be at most 8760h (a year), got 9223372036854775807ms",
            ])
    }

    @Test func theEdgesOfEachRangeAreAccepted() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  retries: 1000000
                  timeout: 8760h
                  backoff: {initial: 100ms, max: 8760h, factor: 100}
                  steps:
                    - run: {command: [sh, -c, "true"], expectExitCodes: [0, 255]}
                      timeout: 1ms
                    - scale: {kind: Deployment, name: x, replicas: 2147483647}
                - id: b
                  on: timer
                  interval: 100ms
                  initialDelay: 0s
                  backoff: {factor: 1}
            """) == [])
    }

    @Test func stepNumbersAreBounded() {
        #expect(Fixtures.problems(handlers: """
                - id: a
                  on: create
                  steps:
                    - run: {command: [sh, -c, "exit 1"], expectExitCodes: [-1, 256]}
                      timeout: 99999999999h
                    - scale: {kind: Deployment, name: x, replicas: 3000000000}
                    - exec: {pod: p, command: [x], expectExitCodes: [1000]}
            """) == [
                "op.yaml:11:64: expectExitCodes[0]: must be at least 0, got -1",
                "op.yaml:11:68: expectExitCodes[1]: must be at most 255, got 256",
                "op.yaml:12:20: timeout: must be at most 8760h (a year), got 99999999999h",
                "op.yaml:13:56: replicas: must be from 0 to 2147483647 (a Kubernetes int32), got 3000000000",
                "op.yaml:14:58: expectExitCodes[0]: must be at most 255, got 1000",
            ])
    }

    @Test func concurrencyIsBounded() {
        #expect(Fixtures.problems("""
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: demo}
            spec:
              watch: {group: example.com, version: v1, plural: demos}
              settings: {concurrency: 100000}
              handlers: [{id: a, on: create}]
            """) == ["op.yaml:6:27: concurrency: must be at most 10000, got 100000"])
    }
}

/// `BackoffSpec.delay` saturates for any values, including ones `yopf check` refuses
/// (a `BackoffSpec` can be made in code): it never traps and never exceeds `max` or a year.
@Suite struct BackoffArithmeticTests {
    @Test func growsByTheFactorUpToMax() {
        let backoff = BackoffSpec(initial: .seconds(5), max: .seconds(300), factor: 2)
        #expect((0..<8).map { backoff.delay(beforeRetry: $0) } == [5, 10, 20, 40, 80, 160, 300, 300].map { .seconds($0) })
        let fractional = BackoffSpec(initial: .milliseconds(100), max: .seconds(1), factor: 1.5)
        #expect(fractional.delay(beforeRetry: 2) == .milliseconds(225))
    }

    @Test func absurdValuesSaturateInsteadOfTrapping() {
        let huge: Duration = .seconds(Int64.max)
        let cases: [BackoffSpec] = [
            BackoffSpec(initial: .seconds(5), max: .seconds(300), factor: 1e20),
            BackoffSpec(initial: .seconds(5), max: .seconds(300), factor: .greatestFiniteMagnitude),
            BackoffSpec(initial: .seconds(5), max: .seconds(300), factor: .infinity),
            BackoffSpec(initial: .seconds(5), max: huge, factor: 1e20),
            BackoffSpec(initial: huge, max: huge, factor: 2),
        ]
        for backoff in cases {
            for retry in [0, 1, 2, 10, 1000, Int.max] {
                let delay = backoff.delay(beforeRetry: retry)
                #expect(delay <= Swift.min(backoff.max, Durations.maximum))
                #expect(delay >= .zero)
            }
        }
        #expect(cases[0].delay(beforeRetry: 0) == .seconds(5))
        #expect(cases[0].delay(beforeRetry: 1) == .seconds(300))
        #expect(cases[3].delay(beforeRetry: 1) == Durations.maximum)
    }

    @Test func nanNegativeAndShrinkingValuesStayInRange() {
        #expect(BackoffSpec(initial: .seconds(5), max: .seconds(60), factor: .nan).delay(beforeRetry: 3) == .seconds(5))
        #expect(BackoffSpec(initial: .seconds(5), max: .seconds(60), factor: 0.1).delay(beforeRetry: 3) == .seconds(5))
        #expect(BackoffSpec(initial: .seconds(-5), max: .seconds(60), factor: 2).delay(beforeRetry: 1) == .zero)
        #expect(BackoffSpec(initial: .seconds(5), max: .seconds(-60), factor: 2).delay(beforeRetry: 1) == .zero)
        #expect(BackoffSpec(initial: .seconds(5), max: .seconds(60), factor: 1).delay(beforeRetry: Int.max) == .seconds(5))
        #expect(BackoffSpec(initial: .seconds(5), max: .seconds(60), factor: 2).delay(beforeRetry: -3) == .seconds(5))
    }

    @Test func durationsOfAnySizeFormatAndHugeOnesParse() {
        #expect(Durations.parse("99999999999h") == .seconds(99_999_999_999 * 3600))
        #expect(Durations.format(.seconds(Int64.max)).hasSuffix("ms"))
        #expect(Durations.format(.seconds(Int64.min)).hasPrefix("-"))
        #expect(Durations.format(.seconds(-90)) == "-1m30s")
        #expect(Durations.format(Durations.maximum) == "8760h")
    }
}
