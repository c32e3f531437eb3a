import YAMLLoader

/// The text of a YAML file, kept to point inside scalars: libyaml tells where a scalar
/// starts, and a jq error or a `${{` sits some characters into its value.
///
/// Positions count Unicode scalars, as libyaml's columns do.
struct SourceText {
    private let lines: [[Unicode.Scalar]]

    init(_ text: String) {
        var lines: [[Unicode.Scalar]] = [[]]
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                lines.append([])
            } else if scalar != "\r" {
                lines[lines.count - 1].append(scalar)
            }
        }
        self.lines = lines
    }

    /// The 1-based line, or nil past the end.
    private func line(_ number: Int) -> [Unicode.Scalar]? {
        guard number >= 1, number <= lines.count else { return nil }
        return lines[number - 1]
    }

    /// The letters and digits written at `position` (e.g. a plain key as typed).
    func word(at position: SourcePosition) -> String {
        guard let line = line(position.line), position.column >= 1, position.column <= line.count else { return "" }
        var word = ""
        for scalar in line[(position.column - 1)...] {
            guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else { break }
            word.unicodeScalars.append(scalar)
        }
        return word
    }

    /// Where the character at `offset` (in Unicode scalars) of a scalar's value was
    /// written, given where the scalar starts and its style. Walks the source alongside the
    /// value (quotes, escapes, line folding, block indentation); when the two stop
    /// agreeing — an unusual layout — answers the scalar's start, which is never wrong,
    /// only less precise.
    func position(ofOffset offset: Int, in value: String, scalarAt start: SourcePosition, style: ScalarStyle?)
        -> SourcePosition
    {
        guard offset > 0 else {
            if style == .singleQuoted || style == .doubleQuoted {
                return SourcePosition(line: start.line, column: start.column + 1)
            }
            if style == .literal || style == .folded {
                return walk(Array(value.unicodeScalars), to: 0, from: start, style: style ?? .plain) ?? start
            }
            return start
        }
        return walk(Array(value.unicodeScalars), to: offset, from: start, style: style ?? .plain) ?? start
    }

    private func walk(_ value: [Unicode.Scalar], to target: Int, from start: SourcePosition, style: ScalarStyle)
        -> SourcePosition?
    {
        guard target <= value.count else { return nil }
        var lineNumber = start.line
        var column = start.column - 1  // 0-based index into the line
        let block = style == .literal || style == .folded
        var indent = 0
        if block {
            // Content starts on the line after the indicator, at the indentation of the
            // first non-blank line.
            lineNumber += 1
            while let line = line(lineNumber), line.allSatisfy({ $0 == " " }) { lineNumber += 1 }
            guard let first = line(lineNumber) else { return nil }
            indent = first.prefix { $0 == " " }.count
            guard indent > 0 else { return nil }
            // Leading blank lines of a block are newlines in the value: start after them.
            lineNumber = start.line + 1
            column = indent
        } else if style == .singleQuoted || style == .doubleQuoted {
            column += 1
        }
        var v = 0
        while v < target {
            guard let line = line(lineNumber) else { return nil }
            if column >= line.count || (block && line.allSatisfy({ $0 == " " })) {
                // End of a source line: the value holds a newline (literal) or a folded
                // space/newline; blank lines add newlines.
                var blanks = 0
                lineNumber += 1
                while let next = self.line(lineNumber), next.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    blanks += 1
                    lineNumber += 1
                }
                let consumed = style == .literal ? blanks + 1 : max(blanks, 1)
                for _ in 0..<consumed {
                    guard v < value.count, value[v] == "\n" || value[v] == " " else { return nil }
                    v += 1
                }
                guard let next = self.line(lineNumber) else { return nil }
                if block {
                    guard next.prefix(while: { $0 == " " }).count >= indent else { return nil }
                    column = indent
                } else {
                    column = next.prefix { $0 == " " || $0 == "\t" }.count
                }
                continue
            }
            let c = line[column]
            if style == .doubleQuoted, c == "\\" {
                guard column + 1 < line.count else { return nil }  // a line continuation
                switch line[column + 1] {
                case "x": column += 4
                case "u": column += 6
                case "U": column += 10
                default: column += 2
                }
                v += 1
                continue
            }
            if style == .singleQuoted, c == "'" {
                guard column + 1 < line.count, line[column + 1] == "'", value[v] == "'" else { return nil }
                column += 2
                v += 1
                continue
            }
            guard c == value[v] else { return nil }
            column += 1
            v += 1
        }
        return SourcePosition(line: lineNumber, column: column + 1)
    }
}
