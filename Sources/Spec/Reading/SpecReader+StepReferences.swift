import YAMLLoader

/// A best-effort check of `$steps.NAME` (and `$steps["NAME"]`) in expressions: NAME must
/// be a step of the same handler that runs before the expression is evaluated.
extension SpecReader {
    /// Checks the expressions with IDs in `range`, which are evaluated when the first
    /// `available` steps (of `names`) have run.
    func checkStepReferences(in range: Range<Int>, available: Int, names: [String?], handler: String) {
        let table = context.expressions
        let known = names.compactMap { $0 }
        let earlier = Set(names.prefix(available).compactMap { $0 })
        for index in range {
            let source = table.entries[index].source
            for reference in Self.stepReferences(in: source) where !earlier.contains(reference.name) {
                let message: String
                if let later = names.firstIndex(where: { $0 == reference.name }) {
                    message = later == available
                        ? "$steps.\(reference.name) is this step's own output, which does not exist yet"
                        : "$steps.\(reference.name) refers to a step that runs later (step \(later + 1) of \(handler)); "
                            + "only earlier steps' outputs are available"
                } else {
                    message = "$steps.\(reference.name): \(handler) has no step named \"\(reference.name)\""
                        + Suggestion.hint(for: reference.name, among: known)
                }
                let (file, position) = table.position(of: index, utf8Offset: reference.utf8Offset)
                context.log.add(file: file, line: position.line, column: position.column, message)
            }
        }
    }

    /// The step names an expression reads through `$steps`, with the byte offset of each
    /// `$steps`. Text inside jq string literals is skipped, but not their `\\( … )` interpolations.
    static func stepReferences(in source: String) -> [(name: String, utf8Offset: Int)] {
        let bytes = Array(source.utf8)
        let marker = Array("$steps".utf8)
        var found: [(String, Int)] = []
        var i = 0
        var inString = false
        // Open `\( … )` interpolations, each with its count of open parentheses.
        var interpolations: [Int] = []
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "(") {
                        interpolations.append(0)
                        inString = false
                    }
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") {
                inString = true
                i += 1
                continue
            }
            if let depth = interpolations.last {
                if c == UInt8(ascii: "(") {
                    interpolations[interpolations.count - 1] = depth + 1
                } else if c == UInt8(ascii: ")") {
                    if depth == 0 {
                        interpolations.removeLast()
                        inString = true
                        i += 1
                        continue
                    }
                    interpolations[interpolations.count - 1] = depth - 1
                }
            }
            guard bytes[i...].starts(with: marker) else {
                i += 1
                continue
            }
            let start = i
            var j = i + marker.count
            if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
                j += 1
                if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
                    if let (name, end) = quoted(bytes, from: j) { found.append((name, start)); j = end }
                } else {
                    let nameStart = j
                    while j < bytes.count, isIdentifierByte(bytes[j]) { j += 1 }
                    if j > nameStart { found.append((String(decoding: bytes[nameStart..<j], as: UTF8.self), start)) }
                }
            } else if j + 1 < bytes.count, bytes[j] == UInt8(ascii: "["), bytes[j + 1] == UInt8(ascii: "\"") {
                if let (name, end) = quoted(bytes, from: j + 1) { found.append((name, start)); j = end }
            } else if j < bytes.count, isIdentifierByte(bytes[j]) {
                j += 1  // `$stepsX` is another variable
            }
            i = max(j, i + 1)
        }
        return found
    }

    /// The step outputs an expression reads; nil when it may read any of them (`$steps`
    /// used whole, e.g. `$steps | keys`, or a name the scan cannot resolve).
    static func stepOutputsRead(in source: String) -> Set<String>? {
        let named = stepReferences(in: source)
        let bytes = Array(source.utf8)
        let marker = Array("$steps".utf8)
        var uses = 0
        var i = 0
        while i + marker.count <= bytes.count {
            if bytes[i...].starts(with: marker) {
                let j = i + marker.count
                if j >= bytes.count || !isIdentifierByte(bytes[j]) { uses += 1 }
                i = j
            } else {
                i += 1
            }
        }
        return uses > named.count ? nil : Set(named.map(\.name))
    }

    /// A simple `"name"` (no escapes) starting at `from`; the name and the index after it.
    private static func quoted(_ bytes: [UInt8], from: Int) -> (String, Int)? {
        var j = from + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
            if bytes[j] == UInt8(ascii: "\\") { return nil }
            j += 1
        }
        guard j < bytes.count else { return nil }
        return (String(decoding: bytes[(from + 1)..<j], as: UTF8.self), j + 1)
    }

    private static func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }
}
