// Command-line words -> a command value, by its CommandSpec. Accepts `--name VALUE`,
// `--name=VALUE`, `-n VALUE`, short flags together (`-vv`, `-vA`), `--` before arguments
// that start with a dash, and repeated options; rejects unknown options, missing or
// malformed values, missing required options and arguments, and extra arguments, with a
// ValidationError saying which. It does not print or run anything, and `-h`/`--help` is
// Program's (asksForHelp). Program calls it for each subcommand; tests call it directly.

public enum Parser {
    /// The command the words describe (the words after the command's name).
    public static func parse<C: Command>(_ words: [String], as type: C.Type = C.self) throws(ValidationError) -> C {
        let spec = C.spec
        var command = C()
        var positionals: [String] = []
        var given = Array(repeating: 0, count: spec.options.count)
        var index = 0
        var optionsEnded = false

        /// The value of the option at `option` spelled `name`: the next word, unless it is absent
        /// or another option (a negative number is a value: `--qps -1` reaches validate()).
        func nextValue(for name: String, _ option: OptionSpec<C>) throws(ValidationError) -> String {
            guard index < words.count, !looksLikeOption(words[index]) else {
                throw ValidationError("missing value for '\(name) <\(option.valueName)>'")
            }
            index += 1
            return words[index - 1]
        }

        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || !looksLikeOption(word) {
                positionals.append(word)
            } else if word == "--" {
                optionsEnded = true
            } else if word.hasPrefix("--") {
                let name: String
                var inline: String? = nil
                if let equals = word.firstIndex(of: "=") {
                    name = String(word[..<equals])
                    inline = String(word[word.index(after: equals)...])
                } else {
                    name = word
                }
                guard let (i, on) = longOption(name, in: spec) else {
                    throw ValidationError("unknown option '\(name)'" + suggestion(for: name, in: spec))
                }
                let option = spec.options[i]
                given[i] += 1
                if option.takesValue {
                    let value: String
                    if let inline { value = inline } else { value = try nextValue(for: name, option) }
                    try option.store(&command, value, name)
                } else {
                    if let inline { throw ValidationError("\(name) takes no value, but '\(inline)' was given") }
                    option.toggle(&command, on)
                }
            } else {
                // Short options: one with a value stands alone (-n VALUE); flags may share a dash.
                let letters = Array(word.dropFirst())
                for letter in letters {
                    guard let i = spec.options.firstIndex(where: { $0.short == letter }) else {
                        let within = letters.count > 1 ? " (in '\(word)')" : ""
                        throw ValidationError("unknown option '-\(letter)'\(within)" + suggestion(for: "-\(letter)", in: spec))
                    }
                    let option = spec.options[i]
                    given[i] += 1
                    if option.takesValue {
                        guard letters.count == 1 else {
                            throw ValidationError("-\(letter) takes a value: give it apart, as -\(letter) <\(option.valueName)> (in '\(word)')")
                        }
                        try option.store(&command, try nextValue(for: "-\(letter)", option), "-\(letter)")
                    } else {
                        option.toggle(&command, true)
                    }
                }
            }
        }

        var rest = positionals[...]
        for argument in spec.arguments {
            if argument.isVariadic {
                if argument.isRequired && rest.isEmpty { throw ValidationError("missing argument '\(argument.label)'") }
                for word in rest { try argument.store(&command, word) }
                rest = []
            } else if let word = rest.popFirst() {
                try argument.store(&command, word)
            } else if argument.isRequired {
                throw ValidationError("missing argument '\(argument.label)'")
            }
        }
        if let extra = rest.first {
            throw ValidationError("unexpected argument '\(extra)'")
        }
        for (i, option) in spec.options.enumerated() where option.isRequired && given[i] == 0 {
            throw ValidationError("missing option '\(option.label)'")
        }
        return command
    }

    /// Whether the words ask for help (`-h`, `--help`) before any `--`.
    public static func asksForHelp(_ words: [String]) -> Bool {
        asks(words, for: ["-h", "--help"])
    }

    /// Whether the words ask for the version (`--version`) before any `--`.
    public static func asksForVersion(_ words: [String]) -> Bool {
        asks(words, for: ["--version"])
    }

    static func asks(_ words: [String], for names: Set<String>) -> Bool {
        for word in words {
            if word == "--" { return false }
            if names.contains(word) { return true }
        }
        return false
    }

    /// `-x…` or `--x…`; not `-` alone (a conventional value: stdin) nor a negative number.
    static func looksLikeOption(_ word: String) -> Bool {
        word.hasPrefix("-") && word.count > 1 && Double(word) == nil
    }

    /// The option a `--long` word names, and whether it sets (false for `--no-x` of an inversion).
    static func longOption<C>(_ name: String, in spec: CommandSpec<C>) -> (Int, Bool)? {
        if let i = spec.options.firstIndex(where: { $0.names.contains(name) }) { return (i, true) }
        if name.hasPrefix("--no-") {
            let positive = "--" + name.dropFirst(5)
            if let i = spec.options.firstIndex(where: { $0.kind == .inversion && $0.names.contains(positive) }) { return (i, false) }
        }
        return nil
    }

    /// "; did you mean '--namespace'?" for a long name one or two edits from a declared one.
    static func suggestion<C>(for name: String, in spec: CommandSpec<C>) -> String {
        guard name.count > 3 else { return "" }  // -x: one letter is too short to guess from
        let candidates = spec.options.flatMap(\.spellings) + ["--help"]
        let near = candidates
            .map { (name: $0, distance: editDistance(name, $0)) }
            .filter { $0.distance <= min(2, max(1, name.count / 3)) }
            .min { $0.distance < $1.distance }
        return near.map { "; did you mean '\($0.name)'?" } ?? ""
    }

    /// Levenshtein distance between two words.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
