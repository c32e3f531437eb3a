import Platform
import Spec

/// What `yopf test` prints and writes: a line per scenario, each failure as
/// `file:line:col: message` with expected and found as a diff and the step's log, a
/// summary; and the same as JUnit XML for CI systems. Formats only; runs nothing.
public enum ScenarioReport {
    /// Log lines shown with a failure (the last ones of the step).
    public static let logLines = 40

    public static func line(_ r: ScenarioResult) -> String {
        let virtual = Durations.format(.milliseconds(r.virtualTime.microseconds / 1000))
        let wall = String(r.wallTime.microseconds / 1000)
        return "\(r.passed ? "ok  " : "FAIL") \(r.file): \(r.name) (\(r.stepsRun) step\(r.stepsRun == 1 ? "" : "s"), \(virtual) virtual, \(wall) ms)"
    }

    /// A failure as printed under its scenario's line.
    public static func failure(_ f: ScenarioFailure, withLog: Bool = true) -> String {
        var out = "\(f.mark): "
        if let step = f.step { out += "step \(step) (\(f.stepTitle ?? "")): " }
        out += f.message + "\n"
        if let expected = f.expected, let found = f.found {
            let diff = LineDiff.unified(expected, found, context: 3)
            out += "  --- expected\n  +++ found\n"
            out += diff.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map { "  \($0)\n" }.joined()
        }
        if let context = f.context {
            out += context.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map { "  \($0)\n" }.joined()
        }
        if withLog && !f.log.isEmpty {
            let shown = f.log.suffix(logLines)
            out += "  log of the step\(shown.count < f.log.count ? " (last \(shown.count) of \(f.log.count) lines)" : ""):\n"
            // A log line may hold several lines (a command's output): each is indented.
            out += shown.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)\n" }.joined() }.joined()
        }
        return out
    }

    public static func summary(_ results: [ScenarioResult], wall: Duration) -> String {
        let failed = results.filter { !$0.passed }.count
        let seconds = Double(wall.microseconds / 1000) / 1000
        return "\(results.count) scenario\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed (\(seconds) s)"
    }

    // MARK: - JUnit XML

    /// One `<testsuite>` per scenario file, one `<testcase>` per scenario.
    public static func junit(_ results: [ScenarioResult]) -> String {
        var files: [String] = []
        for r in results where !files.contains(r.file) { files.append(r.file) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = results.filter { !$0.passed }.count
        out += "<testsuites name=\"yopf test\" tests=\"\(results.count)\" failures=\"\(failures)\" time=\"\(seconds(results.map(\.wallTime)))\">\n"
        for file in files {
            let rs = results.filter { $0.file == file }
            out += "  <testsuite name=\"\(escape(file))\" tests=\"\(rs.count)\" failures=\"\(rs.filter { !$0.passed }.count)\" errors=\"0\" time=\"\(seconds(rs.map(\.wallTime)))\">\n"
            for r in rs {
                out += "    <testcase name=\"\(escape(r.name))\" classname=\"\(escape(file))\" file=\"\(escape(file))\" line=\"\(r.mark.line)\" time=\"\(seconds([r.wallTime]))\""
                if r.passed {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                let first = r.failures[0]
                out += "      <failure message=\"\(escape("\(first.mark): \(first.message)"))\" type=\"ScenarioFailure\">"
                out += escape(r.failures.enumerated().map { failure($1, withLog: $0 == r.failures.count - 1) }.joined(separator: "\n"))
                out += "</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func seconds(_ durations: [Duration]) -> String {
        let ms = durations.reduce(0) { $0 + $1.microseconds / 1000 }
        return "\(ms / 1000).\(String(ms % 1000).leftPadded(to: 3))"
    }

    /// Text safe in XML attributes and content; control characters XML 1.0 cannot hold dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
