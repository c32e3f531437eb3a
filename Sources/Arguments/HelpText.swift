// The text of `--help` and of usage errors, from CommandSpecs: an overview, the wrapped
// discussion, the usage line, ARGUMENTS and OPTIONS with their help and defaults, and a
// tool's command list. Text only: Program decides where it goes.

public enum HelpText {
    /// Lines are wrapped to this many columns (a fixed width: output is the same in a pipe).
    public static let width = 80
    /// Where help texts start in the ARGUMENTS, OPTIONS and SUBCOMMANDS lists.
    static let helpColumn = 26

    /// The help of a command of `program`.
    public static func help<C: Command>(for type: C.Type, program: String) -> String {
        let spec = C.spec
        let defaults = C()
        var out = paragraph("OVERVIEW: " + spec.abstract) + "\n"
        if !spec.discussion.isEmpty {
            out += spec.discussion.split(separator: "\n", omittingEmptySubsequences: false)
                .map { paragraph(String($0)) }.joined() + "\n"
        }
        out += "USAGE: " + usage(for: C.self, program: program) + "\n\n"
        if !spec.arguments.isEmpty {
            out += "ARGUMENTS:\n" + spec.arguments.map { row($0.label, $0.help) }.joined() + "\n"
        }
        out += "OPTIONS:\n"
        for option in spec.options {
            var help = option.help
            if let value = option.defaultText(defaults) { help += " (default: \(value))" }
            out += row(option.label, help)
        }
        out += row("-h, --help", "Show help information.")
        return out
    }

    /// `yopf run [<options>] <paths> ...`: the options that must be given are spelled out.
    public static func usage<C: Command>(for type: C.Type, program: String) -> String {
        let spec = C.spec
        var words = [program, spec.name]
        if spec.options.contains(where: { !$0.isRequired }) { words.append("[<options>]") }
        for option in spec.options where option.isRequired {
            words.append("\(option.long ?? option.names[0]) <\(option.valueName)>")
        }
        for argument in spec.arguments {
            words.append(argument.isRequired ? argument.label : "[\(argument.label)]")
        }
        return words.joined(separator: " ")
    }

    /// The help of a tool of several commands (`yopf --help`).
    public static func help(for program: Program) -> String {
        var out = paragraph("OVERVIEW: " + program.abstract) + "\n"
        out += "USAGE: \(program.usage)\n\n"
        out += "OPTIONS:\n" + row("--version", "Show the version.") + row("-h, --help", "Show help information.") + "\n"
        out += "SUBCOMMANDS:\n" + program.commands.map { row($0.name, $0.abstract) }.joined()
        out += "\n  See '\(program.name) help <subcommand>' for detailed help.\n"
        return out
    }

    /// `Error: MESSAGE`, the usage and where to find more: what a usage error prints.
    public static func usageError(_ message: String, usage: String, helpCommand: String) -> String {
        "Error: \(message)\nUsage: \(usage)\nSee '\(helpCommand) --help' for more information.\n"
    }

    /// An item of a list: its label at column 2, its help from helpColumn (below the label
    /// when the label is too long), wrapped.
    static func row(_ label: String, _ help: String) -> String {
        let indent = String(repeating: " ", count: helpColumn)
        let lines = wrap(help, width: width - helpColumn)
        var out = "  " + label
        if label.count + 2 > helpColumn - 2 {
            out += "\n" + indent
        } else {
            out += String(repeating: " ", count: helpColumn - 2 - label.count)
        }
        out += lines.joined(separator: "\n" + indent) + "\n"
        return out
    }

    /// A paragraph wrapped to the full width, with its newline ("\n" alone when empty).
    static func paragraph(_ text: String) -> String {
        wrap(text, width: width).joined(separator: "\n") + "\n"
    }

    /// The words of `text` in lines of at most `width` characters (a longer word has a line
    /// of its own).
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }
}
