import Glibc
import Spec
import Testing

/// Every problem with a file's content has a `line:col` (issue 18: an empty file was
/// reported as `operator.yaml: the file is empty`, with no place to jump to).
@Suite struct PositionTests {
    @Test(arguments: ["", "\n\n", "   ", "# only a comment\n", "---\n", "---\n...\n", "null\n", "~\n"])
    func anEmptyFileIsReportedAtItsStart(_ text: String) {
        #expect(Fixtures.problems(text) == ["op.yaml:1:1: the file is empty; expected an Operator"])
    }

    @Test func anEmptyFileOnDiskIsReportedAtItsStart() throws {
        let path = "/tmp/yopf-position-test-\(getpid())-operator.yaml"
        let file = try #require(fopen(path, "w"))
        fclose(file)
        defer { unlink(path) }
        #expect(OperatorLoader.loadFile(path).diagnostics.map(\.description) == [
            "\(path):1:1: the file is empty; expected an Operator",
        ])
    }

    /// Problems with a path, not a file's content, print without a place.
    @Test func aMissingPathHasNoPlace() {
        #expect(OperatorLoader.loadFile("/nonexistent/operator.yaml").diagnostics.map(\.description) == [
            "/nonexistent/operator.yaml: cannot read this file",
        ])
    }

    /// Problems found in the shipped certificates operator cut short after every third line:
    /// each has a line and column of at least 1.
    @Test func everyProblemOfAPartialOperatorHasAPlace() throws {
        let original = try #require(readFile(Shipped.folder("certificates") + "/operator.yaml"))
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        var checked = 0
        for cut in stride(from: 0, to: lines.count, by: 3) {
            let text = lines[..<cut].joined(separator: "\n")
            for problem in OperatorLoader.load(yaml: text, file: "operator.yaml", folder: Shipped.folder("certificates")).diagnostics {
                #expect(problem.line >= 1 && problem.column >= 1, "\(problem)")
                checked += 1
            }
        }
        #expect(checked > 20)
    }
}
