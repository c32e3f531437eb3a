import JSONValue
import Lifecycle
import YAMLLoader

/// A finished plan: a YAML document (so it can also be read by tools) under a few
/// comment lines, and how many problems it found (render errors, refusals of the API
/// server, a failing filter or `when`): the CLI exits 1 when there are any.
public struct PreviewReport: Sendable {
    /// The plan as data, redacted when asked.
    public let plan: JSON
    /// What the reader should know about how the plan was made.
    public let notes: [String]
    public let problems: Int

    init(plan: JSONObject, notes: [String], problems: Int, redactor: Redactor, redact: Bool) {
        var notes = notes
        if redact {
            self.plan = SecretMasking.redacted(.object(plan), redactor: redactor)
            notes = notes.map { redactor.redact($0) }
            notes.append("values of secret-like keys (password, token, …) and Secret data are shown as ***")
        } else {
            self.plan = .object(plan)
            if !redactor.isEmpty {
                notes.append("this plan shows values of secret-like keys (password, token, …); add --redact before sharing it")
            }
        }
        if problems > 0 { notes.append("\(problems) problem\(problems == 1 ? "" : "s") found (see error, refused)") }
        self.notes = notes
        self.problems = problems
    }

    /// The plan as printed.
    public var text: String {
        var out = ""
        for note in notes { out += "# \(note.split(separator: "\n").joined(separator: " "))\n" }
        return out + YAML.emit(plan)
    }
}
