import Spec
import Testing

/// 300 seeded random mutations of the shipped certificates operator through the loader
/// (what `yopf check` and `yopf run` do first): byte flips, line deletions and
/// duplications, indentation changes, and token swaps in jq expressions. Each load must
/// end within its deadline (no hang), must not crash the process, and every problem it
/// reports must have a place (issue 18: 26 of 3,200 fuzzed variants of the shipped
/// operators hung `yopf check`). The seed makes every run the same; change it to explore.
@Suite struct MutationTests {
    static let seed: UInt64 = 18
    static let count = 300

    @Test func mutatedCertificatesOperatorsLoadOrFailCleanly() async throws {
        let folder = Shipped.folder("certificates")
        let original = try #require(readFile(folder + "/operator.yaml"))
        #expect(OperatorLoader.load(yaml: original, file: "operator.yaml", folder: folder).diagnostics.isEmpty)

        var generator = SplitMix(seed: Self.seed)
        var loaded = 0
        var refused = 0
        var hangs = 0
        var kinds: [String: Int] = [:]
        for index in 0..<Self.count {
            let (kind, text) = Mutator.mutate(original, &generator)
            kinds[kind, default: 0] += 1
            let result: OperatorLoadResult
            do {
                result = try await deadline(seconds: 30) {
                    OperatorLoader.load(yaml: text, file: "operator.yaml", folder: folder)
                }
            } catch {
                hangs += 1
                Issue.record("mutation \(index) (\(kind)) hangs:\n\(text)")
                continue
            }
            if result.loaded != nil {
                loaded += 1
                #expect(result.diagnostics.isEmpty)
            } else {
                refused += 1
                #expect(!result.diagnostics.isEmpty, "mutation \(index) (\(kind)) was refused without a problem")
            }
            for problem in result.diagnostics {
                #expect(problem.line >= 1 && problem.column >= 1, "mutation \(index) (\(kind)): \(problem)")
            }
        }
        #expect(hangs == 0)
        #expect(loaded + refused + hangs == Self.count)
        // Printed for the record; a crash would have ended the process before this line.
        print("MutationTests: \(Self.count) mutations (\(kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))): "
            + "\(loaded) loaded, \(refused) refused with problems, \(hangs) hung")
    }
}

/// One random change to a text.
enum Mutator {
    static func mutate(_ text: String, _ g: inout SplitMix) -> (kind: String, text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch g.below(6) {
        case 0:
            // Flip one to three bytes anywhere (the result may not even be UTF-8).
            var bytes = Array(text.utf8)
            for _ in 0...g.below(3) {
                let at = g.below(bytes.count)
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 << g.below(8))
            }
            return ("byte flip", String(decoding: bytes, as: UTF8.self))
        case 1:
            let at = g.below(lines.count)
            let length = 1 + g.below(3)
            lines.removeSubrange(at..<min(lines.count, at + length))
            return ("line deletion", lines.joined(separator: "\n"))
        case 2:
            let at = g.below(lines.count)
            lines.insert(lines[at], at: at + g.below(2))
            return ("line duplication", lines.joined(separator: "\n"))
        case 3:
            let at = g.below(lines.count)
            if g.below(2) == 0 {
                lines[at] = String(repeating: " ", count: 1 + g.below(4)) + lines[at]
            } else {
                let spaces = lines[at].prefix { $0 == " " }.count
                lines[at] = String(lines[at].dropFirst(min(spaces, 1 + g.below(4))))
            }
            return ("indentation", lines.joined(separator: "\n"))
        default:
            return ("jq token swap", swapTokens(in: lines, &g).joined(separator: "\n"))
        }
    }

    /// In a line holding jq (a `when`, `forEach`, `result`, a `${{ }}` or a continuation
    /// line of a block scalar with `|` or `.`), swaps two of its tokens or replaces one by
    /// another jq token.
    private static func swapTokens(in lines: [String], _ g: inout SplitMix) -> [String] {
        let jqLines = lines.indices.filter { i in
            let line = lines[i]
            return ["when:", "forEach:", "result:", "${{", "| ", "select(", "[."].contains { line.contains($0) }
        }
        guard !jqLines.isEmpty else { return lines }
        var lines = lines
        let at = jqLines[g.below(jqLines.count)]
        let indent = lines[at].prefix { $0 == " " }
        var tokens = lines[at].dropFirst(indent.count).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let replacements = ["|", ".", "as", "$x", "(", ")", "[", "]", "{", "}", "and", "==", "//", "select(.)", "end", "if", "\"", "}}", "${{", ","]
        if tokens.count >= 2, g.below(2) == 0 {
            let a = g.below(tokens.count)
            let b = g.below(tokens.count)
            tokens.swapAt(a, b)
        } else if !tokens.isEmpty {
            tokens[g.below(tokens.count)] = replacements[g.below(replacements.count)]
        }
        lines[at] = indent + tokens.joined(separator: " ")
        return lines
    }
}
