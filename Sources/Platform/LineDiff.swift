/// The difference of two texts line by line, for people: removed lines start with `-`,
/// added ones with `+`, unchanged context lines with a space, and `@@ … @@` marks where
/// each run of changes starts in the old and the new text (1-based, as `diff -u` does).
///
/// A longest-common-subsequence diff after the common head and tail are set aside; when
/// the middle is too large for that (more than `maxCells` line pairs) it is shown as all
/// removed, then all added. `yopf plan --cluster` shows objects with it (as they are, and
/// as the server's dry run says they would be).
public enum LineDiff {
    public enum Line: Equatable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Line pairs the LCS table may have; beyond, the middle is replaced whole.
    public static let maxCells = 4_000_000

    /// The edit from `old` to `new`, line by line.
    public static func lines(_ old: [String], _ new: [String]) -> [Line] {
        var head = 0
        while head < old.count, head < new.count, old[head] == new[head] { head += 1 }
        var tail = 0
        while tail < old.count - head, tail < new.count - head, old[old.count - 1 - tail] == new[new.count - 1 - tail] { tail += 1 }
        let a = Array(old[head..<(old.count - tail)])
        let b = Array(new[head..<(new.count - tail)])
        var out: [Line] = old[..<head].map { .same($0) }
        if a.count * b.count > maxCells {
            out += a.map { .removed($0) } + b.map { .added($0) }
        } else {
            out += middle(a, b)
        }
        out += old[(old.count - tail)...].map { .same($0) }
        return out
    }

    /// A unified diff of two texts with `context` unchanged lines around each change; ""
    /// when they are the same.
    public static func unified(_ old: String, _ new: String, context: Int = 3) -> String {
        let edit = lines(split(old), split(new))
        let changed = edit.indices.filter { if case .same = edit[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return "" }
        // Runs of lines to show: each change with its context, runs that touch merged.
        var runs: [Range<Int>] = []
        for i in changed {
            let r = max(0, i - context)..<min(edit.count, i + context + 1)
            if let last = runs.last, r.lowerBound <= last.upperBound {
                runs[runs.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                runs.append(r)
            }
        }
        // Line numbers in the old and new text at each position of the edit.
        var oldLine = [Int](repeating: 0, count: edit.count + 1)
        var newLine = [Int](repeating: 0, count: edit.count + 1)
        for (i, l) in edit.enumerated() {
            var inOld = 1, inNew = 1
            switch l {
            case .same: break
            case .removed: inNew = 0
            case .added: inOld = 0
            }
            oldLine[i + 1] = oldLine[i] + inOld
            newLine[i + 1] = newLine[i] + inNew
        }
        var text = ""
        for run in runs {
            let oldCount = oldLine[run.upperBound] - oldLine[run.lowerBound]
            let newCount = newLine[run.upperBound] - newLine[run.lowerBound]
            text += "@@ -\(oldLine[run.lowerBound] + (oldCount > 0 ? 1 : 0)),\(oldCount) +\(newLine[run.lowerBound] + (newCount > 0 ? 1 : 0)),\(newCount) @@\n"
            for l in edit[run] {
                switch l {
                case .same(let s): text += " \(s)\n"
                case .removed(let s): text += "-\(s)\n"
                case .added(let s): text += "+\(s)\n"
                }
            }
        }
        return text
    }

    /// Lines of a text; a final line break ends the last line rather than starting an empty one.
    static func split(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The LCS edit of two line lists (removals before additions within a change).
    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        if a.isEmpty { return b.map { .added($0) } }
        if b.isEmpty { return a.map { .removed($0) } }
        let width = b.count + 1
        // lcs[i * width + j]: length of the LCS of a[i...] and b[j...].
        var lcs = [Int32](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i * width + j] = a[i] == b[j] ? lcs[(i + 1) * width + j + 1] + 1 : max(lcs[(i + 1) * width + j], lcs[i * width + j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(.same(a[i])); i += 1; j += 1
            } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
                out.append(.removed(a[i])); i += 1
            } else {
                out.append(.added(b[j])); j += 1
            }
        }
        out += a[i...].map { .removed($0) }
        out += b[j...].map { .added($0) }
        return out
    }
}
