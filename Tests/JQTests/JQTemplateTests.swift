import JSONValue
import Testing

@testable import JQ

@Suite struct JQTemplateTests {
    let object: JSON = ["metadata": ["name": "db1"], "spec": ["replicas": 3, "labels": ["app": "mysql"], "storage": .null]]

    private func render(_ template: JQTemplate, _ input: JSON) async throws -> JSON {
        let pool = JQPool(program: try JQProgram(expressions: template.expressions), maxWorkers: 1)
        return try await template.render { try await pool.evaluateFirst($0, input: input) }
    }

    @Test func aWholeStringBecomesTheValue() async throws {
        let template = try JQTemplate(["replicas": "${{ .spec.replicas }}", "labels": "${{.spec.labels}}", "none": "${{ .nope }}"])
        #expect(template.expressions == [".spec.replicas", ".spec.labels", ".nope"])
        #expect(!template.isConstant)
        let result = try await render(template, object)
        #expect(result == ["replicas": 3, "labels": ["app": "mysql"], "none": .null])
        if case .int = result["replicas"] {} else { Issue.record("replicas should be an int") }
    }

    @Test func placeholdersInsideTextAreInterpolated() async throws {
        let template = try JQTemplate([
            "name": "${{ .metadata.name }}-backup-${{ .spec.replicas }}",
            "json": "labels=${{ .spec.labels }} storage=[${{ .spec.storage }}]",
            "two": "${{ 1 }}${{ 2 }}",
            "spaced": " ${{ .metadata.name }}",
        ])
        let result = try await render(template, object)
        #expect(result["name"] == "db1-backup-3")
        #expect(result["json"] == "labels={\"app\":\"mysql\"} storage=[]")
        #expect(result["two"] == "12")
        #expect(result["spaced"] == " db1")
    }

    @Test func keysAndNestedValuesAreTemplated() async throws {
        let template = try JQTemplate([
            "data": ["${{ .metadata.name }}.cnf": "x", "plain": "y"],
            "list": [1, "${{ .spec.replicas * 2 }}", ["${{ .metadata.name }}"]],
            "object": "${{ {a: {b: .spec.replicas}} }}",
        ])
        let result = try await render(template, object)
        #expect(result == [
            "data": ["db1.cnf": "x", "plain": "y"],
            "list": [1, 6, ["db1"]],
            "object": ["a": ["b": 3]],
        ])
        #expect(template.locations[1] == JQTemplateLocation(path: ["list", "1"], inKey: false, offsetInString: 4))
        #expect(template.locations[0].inKey)
    }

    @Test func escapesAndConstants() async throws {
        let template = try JQTemplate(["literal": "echo $${{ not an expression }} $$HOME", "n": 1, "s": "plain $x"])
        #expect(template.isConstant)
        #expect(template.expressions.isEmpty)
        let result = try await template.render { _ in Issue.record("nothing to evaluate"); return .null }
        #expect(result == ["literal": "echo ${{ not an expression }} $$HOME", "n": 1, "s": "plain $x"])
        let mixed = try JQTemplate("$${{x}} ${{ .metadata.name }}")
        #expect(try await render(mixed, object) == "${{x}} db1")
    }

    @Test func stringsInsideExpressionsMayContainBraces() async throws {
        let template = try JQTemplate("${{ \"}}\" + .metadata.name }}")
        #expect(try await render(template, object) == "}}db1")
    }

    @Test func unterminatedAndEmptyPlaceholdersAreReported() {
        #expect {
            try JQTemplate(["spec": ["a": "ok", "b": "x ${{ .a "]])
        } throws: { error in
            guard let issue = (error as? JQTemplateError)?.issues.first else { return false }
            return issue.path == ["spec", "b"] && issue.offsetInString == 2 && issue.error.message.contains("unterminated ${{")
        }
        #expect {
            try JQTemplate(["a": "${{   }}"])
        } throws: { error in
            (error as? JQTemplateError)?.issues.first?.error.message == "empty expression in ${{ }}"
        }
        #expect {
            try JQTemplate(["a": "${{ .a ) }}"])
        } throws: { error in
            (error as? JQTemplateError)?.issues.first?.offsetInString == 7
        }
    }

    @Test func syntaxErrorsPointIntoTheString() {
        #expect {
            try JQTemplate(["items": ["ok ${{ .a }}", "v=${{ .a | nope }}"]])
        } throws: { error in
            guard let issues = (error as? JQTemplateError)?.issues, issues.count == 1 else { return false }
            // "v=${{ " is 6 bytes, ".a | " 5 more.
            return issues[0].path == ["items", "1"] && issues[0].offsetInString == 11
                && issues[0].error.message == "nope/0 is not defined"
        }
    }

    @Test func withoutCompilingOnlyTheShapeIsChecked() throws {
        let template = try JQTemplate(["a": "${{ nope }}"], compiling: false)
        #expect(template.expressions == ["nope"])
    }
}
