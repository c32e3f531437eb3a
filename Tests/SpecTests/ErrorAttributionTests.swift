import Spec
import Testing

/// jq errors are reported at `file:line:col` of the broken expression, whatever comes
/// before and after it (issue 18: an error after a multi-line expression hung `yopf check`
/// at 100% CPU). Every load runs under a deadline so that a hang fails the test.
@Suite struct ErrorAttributionTests {
    /// The minimal example.
    @Test func anErrorAfterAMultilineResultIsReportedAndCheckEnds() async throws {
        let problems = try await deadlineProblems(Fixtures.operatorWith(handlers: """
                - id: a
                  on: create
                  result: |
                    1 +
                    2
                - id: c
                  on: resume
                  when: ".[] as"
                - id: d
                  on: resume
                  when: .x
            """))
        #expect(problems == [
            "op.yaml:15:20: jq error in when: syntax error, unexpected end of expression, expecting '$' or '[' or '{'",
        ])
    }

    /// Errors in the first, a middle and the last handler, around block scalars (`|`,
    /// `|-`, `>-`) and templates with several `${{ }}`, each at its own place.
    @Test func errorsFirstMiddleAndLastAreEachAtTheirPlace() async throws {
        let problems = try await deadlineProblems(Fixtures.operatorWith(handlers: """
                - id: a
                  on: create
                  when: ". as"
                  result: |
                    {a: 1,
                     b: 2}
                - id: b
                  on: update
                  when: |-
                    .spec
                    | .x as $x
                    | nope
                  steps:
                    - status:
                        x: '${{ .spec | .x }}'
                        y: >-
                          ${{ [.a,
                               .b]
                              | length }}
                        z: 'n=${{ .[] as }} and ${{ .ok }}'
                - id: c
                  on: resume
                  when: .x
                  result: '{a: }'
            """))
        #expect(problems == [
            "op.yaml:10:18: jq error in when: syntax error, unexpected end of expression, expecting '$' or '[' or '{'",
            "op.yaml:19:11: jq error in when: nope/0 is not defined",
            "op.yaml:27:29: jq error in status: syntax error, unexpected end of expression, expecting '$' or '[' or '{'",
            "op.yaml:31:20: jq error in result: syntax error, unexpected '}'",
        ])
    }

    /// A typo in any handler of the certificates operator after the first used to hang:
    /// here one in its last, long, multi-line template.
    @Test func aTypoLateInTheCertificatesOperatorIsFound() async throws {
        let original = try #require(readFile(Shipped.folder("certificates") + "/operator.yaml"))
        let broken = original.replacingFirst("| from_entries }}", with: "| from_entries as }}")
        #expect(broken != original)
        let problems = try await deadline {
            OperatorLoader.load(yaml: broken, file: "operator.yaml", folder: Shipped.folder("certificates"))
                .diagnostics.map(\.description)
        }
        // Where the typo is: the line of `| from_entries`, the column just after the `as`.
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        let index = try #require(lines.firstIndex { $0.contains("| from_entries }}") })
        let before = try #require(lines[index].split(separator: "| from_entries", maxSplits: 1, omittingEmptySubsequences: false).first)
        let col = before.count + "| from_entries as".count + 1
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("operator.yaml:\(index + 1):\(col): jq error in status: syntax error") == true, "\(problems)")
    }

    private func deadlineProblems(_ yaml: String) async throws -> [String] {
        try await deadline { Fixtures.problems(yaml) }
    }
}
