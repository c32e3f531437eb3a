import JSONValue

/// An immutable set of expressions compiled together as ONE jq program (see
/// `ProgramSource` for its shape): one compile per worker however many expressions there
/// are. Creating it compiles the program once to report every expression's syntax error;
/// the compiled state is kept for the first `JQPool` made from it.
public struct JQProgram: Sendable {
    public let expressions: [String]
    /// The variables bound in every expression, in the order `JQPool` passes them.
    public let variables: [String]
    let source: ProgramSource
    /// The worker compiled while checking, handed to the first pool.
    let spare: WorkerSlot

    /// Compiles `expressions` with the prelude and `variables` bound.
    /// Throws `JQProgramError` listing each expression that does not compile (and index -1
    /// for an invalid variable name).
    public init(expressions: [String], variables: [String] = JQ.standardVariables) throws {
        var problems: [JQExpressionError] = []
        var seen: Set<String> = []
        for name in variables where !Self.isValidVariableName(name) || !seen.insert(name).inserted {
            problems.append(JQExpressionError(index: -1, error: JQSyntaxError(
                message: "variable name \"\(name)\" is not a jq identifier or appears twice", offset: nil)))
        }
        if !problems.isEmpty { throw JQProgramError(errors: problems) }

        // Unbalanced expressions are reported from the scan and left out of the compile.
        var compilable = expressions
        for (index, expression) in expressions.enumerated() {
            if case .failure(let message, let at) = ExpressionScanner.scan(Array(expression.utf8)) {
                problems.append(JQExpressionError(index: index, error: JQSyntaxError(message: message, offset: at)))
                compilable[index] = "null"
            }
        }
        let source = ProgramSource(expressions: compilable, variables: variables)
        do {
            let worker = try JQWorker(source: source.text)
            self.spare = WorkerSlot(worker: worker)
        } catch {
            problems += Self.attribute(error.messages, source: source, expressions: compilable, variables: variables)
            self.spare = WorkerSlot(worker: nil)
        }
        if !problems.isEmpty {
            throw JQProgramError(errors: problems.sorted { $0.index < $1.index })
        }
        self.expressions = expressions
        self.variables = variables
        self.source = source
    }

    /// One error per failing expression. libjq locates most errors by line, which the
    /// source maps back. A syntax error stops libjq before it looks for undefined names, so
    /// the program is compiled again without the expressions already known to fail until it
    /// compiles. When an error cannot be placed, each expression is compiled alone.
    /// Each round blanks at least one more expression, so there are at most
    /// `expressions.count` rounds.
    private static func attribute(_ messages: [String], source: ProgramSource, expressions: [String], variables: [String])
        -> [JQExpressionError]
    {
        var found: [Int: JQSyntaxError] = [:]
        var messages = messages
        var source = source
        var remaining = expressions
        while true {
            let located = messages.compactMap(source.locate)
            guard !located.isEmpty, located.allSatisfy({ $0.expression != nil }) else { break }
            var progress = false
            for item in located {
                if let index = item.expression, found[index] == nil {
                    found[index] = item.error
                    remaining[index] = "null"
                    progress = true
                }
            }
            // An error placed on an expression already blanked cannot be right: stop
            // guessing (each loop must blank one more expression, so it ends) and let
            // each expression be compiled alone.
            guard progress else { break }
            source = ProgramSource(expressions: remaining, variables: variables)
            do {
                _ = try JQWorker(source: source.text)
                return found.map { JQExpressionError(index: $0.key, error: $0.value) }
            } catch {
                messages = error.messages
            }
        }
        return found.map { JQExpressionError(index: $0.key, error: $0.value) }
            + attributeAlone(messages, expressions: remaining, variables: variables)
    }

    /// Compiles each expression alone (only when libjq reported an error without a place).
    private static func attributeAlone(_ messages: [String], expressions: [String], variables: [String]) -> [JQExpressionError] {
        let located = messages.compactMap(ProgramSource(expressions: expressions, variables: variables).locate)
        var errors: [JQExpressionError] = []
        for (index, expression) in expressions.enumerated() {
            let alone = ProgramSource(expressions: [expression], variables: variables)
            do {
                _ = try JQWorker(source: alone.text)
            } catch {
                let first = error.messages.compactMap(alone.locate).first?.error
                errors.append(JQExpressionError(index: index, error: first ?? JQSyntaxError(
                    message: error.messages.joined(separator: "; "), offset: nil)))
            }
        }
        if errors.isEmpty {
            let text = located.map(\.error.message).joined(separator: "; ")
            errors.append(JQExpressionError(index: -1, error: JQSyntaxError(
                message: "the program does not compile: \(text.isEmpty ? messages.joined(separator: "; ") : text)", offset: nil)))
        }
        return errors
    }

    private static let keywords: Set<String> = [
        "def", "if", "then", "elif", "else", "end", "as", "reduce", "foreach", "try", "catch",
        "label", "import", "include", "and", "or", "not", "__loc__",
    ]

    private static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !keywords.contains(name) else { return false }
        func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
