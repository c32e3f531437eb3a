import Platform

/// The text of one jq program holding many yopf expressions, and the map back from libjq's
/// compile errors to the expression and byte offset they are about.
///
/// libjq 1.6 binds `$variables` when it compiles (`jq_compile_args`), so one compiled
/// program could not serve different variable values. Instead the program's input is
/// `[index, input, [variable values…]]` and the program binds the variables itself:
///
///     <prelude definitions>
///     . as [$__yopf_i, $__yopf_input, $__yopf_vars] |
///     $__yopf_vars[0] as $old |
///     …
///     def __yopf_e0: (
///     <expression 0, on lines of its own>
///     );
///     …
///     $__yopf_input | if $__yopf_i < 1 then __yopf_e0 else … end
///
/// Each expression starts on a line of its own (so libjq's line/column locate it and a
/// `#` comment cannot swallow the wrapper), and the dispatch is a binary search.
struct ProgramSource: Sendable {
    let text: String
    let variables: [String]
    private let lines: [Substring]
    private let spans: [Span]

    /// Where an expression sits in `text`.
    private struct Span: Sendable {
        var firstLine: Int          // 0-based line of the expression's first byte
        var lineStarts: [Int]       // byte offset in the expression of each of its lines
        var byteCount: Int
    }

    init(expressions: [String], variables: [String]) {
        var out = Prelude.definitions
        out.append(". as [$__yopf_i, $__yopf_input, $__yopf_vars] |")
        for (k, name) in variables.enumerated() { out.append("$__yopf_vars[\(k)] as $\(name) |") }
        // Every piece above is one line; an expression may hold many. Spans count text
        // lines, not pieces: counting pieces put every expression after a multi-line one
        // on the wrong lines, so errors were blamed on the wrong expression (and the
        // attribution loop, blanking the same wrong one again and again, never ended).
        var lineCount = out.count
        var spans: [Span] = []
        for (i, expression) in expressions.enumerated() {
            out.append("def __yopf_e\(i): (")
            lineCount += 1
            var starts = [0]
            for (offset, byte) in expression.utf8.enumerated() where byte == UInt8(ascii: "\n") {
                starts.append(offset + 1)
            }
            spans.append(Span(firstLine: lineCount, lineStarts: starts, byteCount: expression.utf8.count))
            out.append(expression)
            out.append(");")
            lineCount += starts.count + 1
        }
        out.append("$__yopf_input | " + (expressions.isEmpty ? "empty" : Self.dispatch(0, expressions.count)))
        self.text = out.joined(separator: "\n") + "\n"
        self.lines = self.text.split(separator: "\n", omittingEmptySubsequences: false)
        self.spans = spans
        self.variables = variables
    }

    private static func dispatch(_ low: Int, _ high: Int) -> String {
        if high - low == 1 { return "__yopf_e\(low)" }
        let mid = (low + high) / 2
        return "if $__yopf_i < \(mid) then \(dispatch(low, mid)) else \(dispatch(mid, high)) end"
    }

    /// A compile error reported by libjq, attributed.
    struct LocatedError {
        var expression: Int?        // nil when the error is not inside an expression
        var error: JQSyntaxError
    }

    /// Parses one libjq error message (nil for the "jq: N compile errors" summary).
    func locate(_ raw: String) -> LocatedError? {
        var message = raw
        if message.hasPrefix("jq: error: ") {
            message.removeFirst("jq: error: ".count)
        } else if message.hasPrefix("jq: ") && message.includes(" compile error") {
            return nil
        }
        message = message.replacingAll(" (Unix shell quoting issues?)", with: "")
        let marker = " at <top-level>, line "
        guard let markerRange = message.lastRange(of: marker) else {
            return LocatedError(expression: nil, error: JQSyntaxError(message: message, offset: nil))
        }
        let head = String(message[..<markerRange.lowerBound])
        let tail = message[markerRange.upperBound...]
        guard let colon = tail.firstIndex(of: ":"), let lineNumber = Int(tail[..<colon]) else {
            return LocatedError(expression: nil, error: JQSyntaxError(message: head, offset: nil))
        }
        // After "line N:\n" comes the line's text, then as many spaces as the column.
        let afterColon = tail[tail.index(after: colon)...].dropFirst()
        let line = lineNumber - 1
        var column = 0
        if lines.indices.contains(line) {
            column = max(0, afterColon.utf8.count - lines[line].utf8.count)
        }
        for (index, span) in spans.enumerated() {
            if line >= span.firstLine && line < span.firstLine + span.lineStarts.count {
                let offset = min(span.byteCount, span.lineStarts[line - span.firstLine] + column)
                return LocatedError(expression: index, error: JQSyntaxError(message: head, offset: offset))
            }
            if line == span.firstLine + span.lineStarts.count {
                // The wrapper's closing line: the expression ended too early.
                let cleaned = head.replacingAll("unexpected ')'", with: "unexpected end of expression")
                return LocatedError(expression: index, error: JQSyntaxError(message: cleaned, offset: span.byteCount))
            }
        }
        return LocatedError(expression: nil, error: JQSyntaxError(message: head, offset: nil))
    }
}

extension String {
    /// Without Foundation: the last occurrence of `needle`.
    func lastRange(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var found: Range<String.Index>?
        var searchStart = startIndex
        while let range = self[searchStart...].firstRange(ofText: needle) {
            found = range
            searchStart = index(after: range.lowerBound)
        }
        return found
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(ofText: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
