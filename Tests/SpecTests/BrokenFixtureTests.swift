import Spec
import Testing

@Suite struct BrokenFixtureTests {
    /// The broken fixture has sixteen mistakes, each on its own line: check prints one
    /// line per mistake, at the mistake, with the template files' own problems last.
    @Test func everyMistakeIsReportedOnItsOwnLine() {
        let result = OperatorLoader.loadFile(Fixtures.path("broken/operator.yaml"))
        #expect(result.loaded == nil)
        let lines = result.diagnostics.map { $0.description.replacingPrefix(Fixtures.folder + "/", with: "") }
        #expect(lines == [
            "broken/operator.yaml:1:13: unsupported apiVersion \"yopf.dev/v1beta1\": this yopf reads \"yopf.dev/v1alpha1\"",
            "broken/operator.yaml:7:5: watch needs \"plural\" (e.g. mysqls) or \"kind\" (e.g. MySQL) to name the watched resource",
            "broken/operator.yaml:9:30: jq error in filter: syntax error, unexpected end of expression",
            "broken/operator.yaml:13:16: timeout: invalid duration \"10 minutes\": write a whole number with a unit (ms, s, m, h), e.g. 30s, 10m or 1h30m",
            "broken/operator.yaml:15:18: template file \"templates/missing.yaml\" not found (looked for \(Fixtures.folder)/broken/templates/missing.yaml)",
            "broken/operator.yaml:16:11: unknown step kind \"aply\" (did you mean \"apply\"?)",
            "broken/operator.yaml:20:66: jq error in command: syntax error, unexpected end of expression",
            "broken/operator.yaml:21:17: duplicate step name \"dump\" in handler \"provision\" (first used at line 17)",
            "broken/operator.yaml:22:32: $steps.later refers to a step that runs later (step 5 of handler \"provision\"); only earlier steps' outputs are available",
            "broken/operator.yaml:24:25: type: invalid value \"Info\" (expected one of: Normal, Warning)",
            "broken/operator.yaml:27:11: duplicate handler id \"provision\" (first defined at line 11)",
            "broken/operator.yaml:29:7: \"field\" only applies to update handlers (handler \"provision\" is on: delete)",
            "broken/operator.yaml:32:11: timer handler \"tick\" needs \"interval\" (e.g. interval: 10m)",
            "broken/operator.yaml:33:7: unknown field \"stpes\" in handler (did you mean \"steps\"?)",
            "broken/templates/bad-jq.yaml:6:44: jq error in template: syntax error, unexpected end of expression",
            "broken/templates/bad-syntax.yaml:7:1: did not find expected ',' or ']' (while parsing a flow sequence at line 6, column 8)",
        ])
    }

    @Test func checkReportsEveryProblemOfEveryPath() {
        let (operators, diagnostics) = OperatorLoader.load(paths: [Fixtures.path("mysql"), Fixtures.path("broken")])
        #expect(operators.map(\.spec.name) == ["mysql-operator"])
        #expect(diagnostics.count == 16)
    }

    @Test func aFolderOfOperatorFoldersIsSearchedOneLevelDown() {
        let (files, diagnostics) = OperatorLoader.operatorFiles(for: [Fixtures.folder])
        #expect(diagnostics.isEmpty)
        #expect(files.map { $0.replacingPrefix(Fixtures.folder + "/", with: "") } == [
            "broken/operator.yaml", "mysql/operator.yaml",
        ])
    }

    @Test func missingPathsAndEmptyFoldersAreReported() {
        let (files, diagnostics) = OperatorLoader.operatorFiles(for: ["/nonexistent/yopf", Fixtures.path("inline/templates")])
        #expect(files.isEmpty)
        #expect(diagnostics.map(\.description) == [
            "/nonexistent/yopf: no such file or folder",
            "\(Fixtures.folder)/inline/templates: no operator.yaml in this folder or its subfolders",
        ])
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
