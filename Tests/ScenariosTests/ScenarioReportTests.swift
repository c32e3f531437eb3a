import Scenarios
import Testing

/// How a failure reads (file:line:col, the step, a diff, the step's log) and the JUnit
/// report CI systems read.
@Suite struct ScenarioReportTests {
    static let failed = ScenarioResult(
        name: "rotation <new>", file: "h/tests/r.yaml", mark: SourceMark(file: "h/tests/r.yaml", line: 3, column: 7),
        failures: [ScenarioFailure(mark: SourceMark(file: "h/tests/r.yaml", line: 12, column: 9), step: 2, stepTitle: "patch MySQL db",
                                   message: "the commands differ", expected: "- a\n- b\n- c\n", found: "- a\n- x\n- c\n",
                                   log: ["+1s debug step starting handler=h step=s", "+1s warning out\nsecond line"])],
        stepsRun: 2, virtualTime: .seconds(61), wallTime: .milliseconds(1234))
    static let passed = ScenarioResult(name: "ok & fine", file: "h/tests/r.yaml", mark: SourceMark(file: "h/tests/r.yaml", line: 20, column: 7),
                                       failures: [], stepsRun: 1, virtualTime: .zero, wallTime: .milliseconds(5))

    @Test func aFailureNamesItsPlaceAndShowsADiffAndTheLog() {
        #expect(ScenarioReport.failure(Self.failed.failures[0]) == """
            h/tests/r.yaml:12:9: step 2 (patch MySQL db): the commands differ
              --- expected
              +++ found
              @@ -1,3 +1,3 @@
               - a
              -- b
              +- x
               - c
              log of the step:
                +1s debug step starting handler=h step=s
                +1s warning out
                second line

            """)
        #expect(!ScenarioReport.failure(Self.failed.failures[0], withLog: false).contains("log of the step"))
        #expect(ScenarioReport.line(Self.failed) == "FAIL h/tests/r.yaml: rotation <new> (2 steps, 1m1s virtual, 1234 ms)")
        #expect(ScenarioReport.line(Self.passed) == "ok   h/tests/r.yaml: ok & fine (1 step, 0s virtual, 5 ms)")
    }

    @Test func junitHasACasePerScenarioAndTheFailureText() {
        let xml = ScenarioReport.junit([Self.failed, Self.passed])
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"yopf test\" tests=\"2\" failures=\"1\" time=\"1.239\">\n"))
        #expect(xml.contains("<testsuite name=\"h/tests/r.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.239\">"))
        #expect(xml.contains("<testcase name=\"rotation &lt;new&gt;\" classname=\"h/tests/r.yaml\" file=\"h/tests/r.yaml\" line=\"3\" time=\"1.234\">"))
        #expect(xml.contains("<failure message=\"h/tests/r.yaml:12:9: the commands differ\" type=\"ScenarioFailure\">h/tests/r.yaml:12:9: step 2"))
        #expect(xml.contains("<testcase name=\"ok &amp; fine\" classname=\"h/tests/r.yaml\" file=\"h/tests/r.yaml\" line=\"20\" time=\"0.005\"/>"))
        #expect(xml.hasSuffix("</testsuites>\n"))
        #expect(ScenarioReport.escape("a\u{1}b\"c'") == "ab&quot;c&apos;")
    }
}
