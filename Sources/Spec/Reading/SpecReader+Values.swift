import JSONValue
import YAMLLoader

/// Reading typed values out of nodes. Each reader takes an optional node (a field that
/// may be absent), returns nil when it is absent or wrong, and reports what is wrong.
extension SpecReader {
    /// Checks that `node` is an object with only `known` fields and all `required` ones;
    /// returns it when it is an object (even with unknown fields, so that reading goes on).
    @discardableResult
    func object(_ node: Node?, in what: String, known: [String], required: [String] = []) -> Node? {
        guard let node else { return nil }
        guard case .object(let members) = node.value else {
            reportType(node, expected: "an object")
            return nil
        }
        for key in members.keys where !known.contains(key) {
            report("unknown field \"\(key)\" in \(what)\(Suggestion.hint(for: key, among: known))",
                at: node[key] ?? node, onKey: true)
        }
        for key in required where members[key] == nil {
            report("missing required field \"\(key)\" in \(what)", at: node)
        }
        return node
    }

    func string(_ node: Node?) -> String? {
        guard let node else { return nil }
        guard case .string(let s) = node.value else {
            reportType(node, expected: "a string")
            return nil
        }
        return s
    }

    /// A string that must not be empty.
    func nonEmptyString(_ node: Node?) -> String? {
        guard let node, let s = string(node) else { return nil }
        guard !s.isEmpty else {
            report("\(node.label): must not be empty", at: node)
            return nil
        }
        return s
    }

    func bool(_ node: Node?) -> Bool? {
        guard let node else { return nil }
        guard case .bool(let b) = node.value else {
            reportType(node, expected: "true or false")
            return nil
        }
        return b
    }

    func int(_ node: Node?, minimum: Int? = nil, maximum: Int? = nil) -> Int? {
        guard let node else { return nil }
        guard case .int(let i) = node.value else {
            reportType(node, expected: "an integer")
            return nil
        }
        if let minimum, i < minimum {
            report("\(node.label): must be at least \(minimum), got \(i)", at: node)
            return nil
        }
        if let maximum, i > maximum {
            report("\(node.label): must be at most \(maximum), got \(i)", at: node)
            return nil
        }
        return i
    }

    func number(_ node: Node?) -> Double? {
        guard let node else { return nil }
        guard let d = node.value.double else {
            reportType(node, expected: "a number")
            return nil
        }
        return d
    }

    /// `30s`, `10m`, `1h30m`, `500ms`, from `minimum` to `maximum` (at most
    /// `Durations.maximum`, so that no time computed from it can overflow).
    func duration(_ node: Node?, minimum: Duration = .zero, maximum: Duration = Durations.maximum) -> Duration? {
        guard let node else { return nil }
        let text: String
        switch node.value {
        case .string(let s): text = s
        case .int(let i): text = String(i)
        default:
            reportType(node, expected: "a duration such as 30s, 10m or 1h30m")
            return nil
        }
        guard let duration = Durations.parse(text) else {
            report("\(node.label): invalid duration \"\(text)\": write a whole number with a unit (ms, s, m, h), "
                + "e.g. 30s, 10m or 1h30m", at: node)
            return nil
        }
        if duration < minimum {
            report("\(node.label): must be at least \(Durations.format(minimum)), got \(text)", at: node)
            return nil
        }
        if duration > maximum {
            report("\(node.label): must be at most \(Durations.format(maximum))\(maximum == Durations.maximum ? " (a year)" : ""), got \(text)",
                at: node)
            return nil
        }
        return duration
    }

    /// One of the raw values of `E`, with a hint for a near miss.
    func enumeration<E: RawRepresentable & CaseIterable>(_ node: Node?, _ type: E.Type) -> E? where E.RawValue == String {
        guard let node else { return nil }
        let allowed = E.allCases.map(\.rawValue)
        guard let text = scalarText(node.value), let value = E(rawValue: text) else {
            let shown = scalarText(node.value).map { "\"\($0)\"" } ?? node.value.kindDescription
            let hint = scalarText(node.value).map { Suggestion.hint(for: $0, among: allowed) } ?? ""
            report("\(node.label): invalid value \(shown) (expected one of: \(allowed.joined(separator: ", ")))\(hint)",
                at: node)
            return nil
        }
        return value
    }

    func stringList(_ node: Node?) -> [String]? {
        guard let node else { return nil }
        guard case .array = node.value else {
            reportType(node, expected: "a list of strings")
            return nil
        }
        let strings = node.items.compactMap { string($0) }
        return strings.count == node.items.count ? strings : nil
    }

    func intList(_ node: Node?, minimum: Int? = nil, maximum: Int? = nil) -> [Int]? {
        guard let node else { return nil }
        guard case .array = node.value else {
            reportType(node, expected: "a list of integers")
            return nil
        }
        let ints = node.items.compactMap { int($0, minimum: minimum, maximum: maximum) }
        return ints.count == node.items.count ? ints : nil
    }

    /// An object whose values are all strings (labels, annotations).
    func stringMap(_ node: Node?) -> [String: String]? {
        guard let node else { return nil }
        guard case .object = node.value else {
            reportType(node, expected: "an object of strings")
            return nil
        }
        var map: [String: String] = [:]
        for (key, member) in node.members {
            if let s = string(member) { map[key] = s }
        }
        return map.count == node.members.count ? map : nil
    }

    /// A DNS-label-like name: lowercase letters, digits, `-` and `_`, starting with a
    /// letter, at most 63 characters. Ids and step names end up as keys in `status`.
    func identifier(_ node: Node?, what: String) -> String? {
        guard let node, let text = string(node) else { return nil }
        guard Self.isIdentifier(text) else {
            report("invalid \(what) \"\(text)\": use lowercase letters, digits, \"-\" and \"_\", "
                + "starting with a letter (at most 63 characters)", at: node)
            return nil
        }
        return text
    }

    static func isIdentifier(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, ("a"..."z").contains(first), scalars.count <= 63 else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// Strings, numbers and booleans as text (enum values written unquoted, like `on: yes`).
    private func scalarText(_ value: JSON) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
