import JSONValue
import Kube

/// A parsed label selector in kube's string syntax: `a=b`, `a==b`, `a!=b`,
/// `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated (all must hold).
struct LabelSelector: Sendable, Equatable {
    enum Operator: Sendable, Equatable { case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan }

    struct Requirement: Sendable, Equatable {
        var key: String
        var op: Operator
        var values: [String]
    }

    var requirements: [Requirement]

    static let everything = LabelSelector(requirements: [])

    init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses a selector string; empty or nil selects everything. Throws 400 like kube.
    init(parsing text: String?) throws(KubeError) {
        guard let text, !text.allSatisfy({ $0 == " " }) else {
            requirements = []
            return
        }
        var parser = SelectorParser(text)
        requirements = try parser.parse()
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let v = labels[r.key]
            switch r.op {
            case .exists: return v != nil
            case .doesNotExist: return v == nil
            case .equals, .in: return v.map { r.values.contains($0) } ?? false
            case .notEquals, .notIn: return v.map { !r.values.contains($0) } ?? true
            case .greaterThan, .lessThan:
                guard let v, let have = Int(v), let want = r.values.first.flatMap({ Int($0) }) else { return false }
                return r.op == .greaterThan ? have > want : have < want
            }
        }
    }

    func matches(object: JSON) -> Bool {
        requirements.isEmpty || matches(LabelSelector.labels(of: object))
    }

    static func labels(of object: JSON) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in object["metadata"]?["labels"]?.object ?? [:] { if let s = v.string { out[k] = s } }
        return out
    }

    /// The string form of a `LabelSelector` object (`matchLabels` and `matchExpressions`),
    /// as the scale subresource reports it in `status.selector`.
    static func string(fromObject selector: JSON?) -> String {
        guard let selector else { return "" }
        var parts: [String] = []
        for (k, v) in (selector["matchLabels"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            parts.append("\(k)=\(v.string ?? "")")
        }
        for e in selector["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? ""
            let values = (e["values"]?.array ?? []).compactMap(\.string).sorted()
            switch e["operator"]?.string ?? "" {
            case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
            case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: continue
            }
        }
        return parts.joined(separator: ",")
    }
}

/// Tokenizer and recursive-descent parser for label selectors, following kube's lexer:
/// identifiers are runs of anything but blanks and `!=<>(),`.
struct SelectorParser {
    enum Token: Equatable { case ident(String), not, eq, doubleEq, notEq, gt, lt, open, close, comma, end }

    private var tokens: [Token] = []
    private var index = 0
    private let text: String

    init(_ text: String) {
        self.text = text
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n": i += 1
            case "(": tokens.append(.open); i += 1
            case ")": tokens.append(.close); i += 1
            case ",": tokens.append(.comma); i += 1
            case ">": tokens.append(.gt); i += 1
            case "<": tokens.append(.lt); i += 1
            case "!":
                if i + 1 < chars.count, chars[i + 1] == "=" { tokens.append(.notEq); i += 2 } else { tokens.append(.not); i += 1 }
            case "=":
                if i + 1 < chars.count, chars[i + 1] == "=" { tokens.append(.doubleEq); i += 2 } else { tokens.append(.eq); i += 1 }
            default:
                var word = ""
                while i < chars.count, !" \t\n()!=<>,".contains(chars[i]) { word.append(chars[i]); i += 1 }
                tokens.append(.ident(word))
            }
        }
        tokens.append(.end)
    }

    private var current: Token { tokens[index] }

    private func fail(_ why: String) -> KubeError {
        KubeError.badRequest("unable to parse requirement: \(why) in label selector \"\(text)\"")
    }

    mutating func parse() throws(KubeError) -> [LabelSelector.Requirement] {
        var out: [LabelSelector.Requirement] = []
        while true {
            out.append(try requirement())
            switch current {
            case .end: return out
            case .comma:
                index += 1
                if current == .end { throw fail("expected a requirement after ','") }
            default: throw fail("found '\(describe(current))', expected: ',' or end of selector")
            }
        }
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .ident(let s): return s
        case .not: return "!"
        case .eq: return "="
        case .doubleEq: return "=="
        case .notEq: return "!="
        case .gt: return ">"
        case .lt: return "<"
        case .open: return "("
        case .close: return ")"
        case .comma: return ","
        case .end: return "end of input"
        }
    }

    private mutating func requirement() throws(KubeError) -> LabelSelector.Requirement {
        if current == .not {
            index += 1
            let key = try identifier()
            try validateKey(key)
            return .init(key: key, op: .doesNotExist, values: [])
        }
        let key = try identifier()
        try validateKey(key)
        let token = current
        switch token {
        case .end, .comma: return .init(key: key, op: .exists, values: [])
        case .eq, .doubleEq, .notEq:
            index += 1
            var value = ""
            if case .ident(let v) = current { value = v; index += 1 }
            try validateValue(value)
            return .init(key: key, op: token == .notEq ? .notEquals : .equals, values: [value])
        case .gt, .lt:
            index += 1
            let value = try identifier()
            guard Int(value) != nil else { throw fail("for 'Gt', 'Lt' operators, the value must be an integer, not \"\(value)\"") }
            return .init(key: key, op: token == .gt ? .greaterThan : .lessThan, values: [value])
        case .ident("in"), .ident("notin"):
            index += 1
            guard current == .open else { throw fail("found '\(describe(current))', expected: '('") }
            index += 1
            var values: [String] = []
            while true {
                var value = ""
                if case .ident(let v) = current { value = v; index += 1 }
                try validateValue(value)
                values.append(value)
                if current == .comma { index += 1; continue }
                if current == .close { index += 1; break }
                throw fail("found '\(describe(current))', expected: ',' or ')'")
            }
            return .init(key: key, op: token == .ident("in") ? .in : .notIn, values: values)
        default:
            throw fail("found '\(describe(token))', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    private mutating func identifier() throws(KubeError) -> String {
        guard case .ident(let s) = current else { throw fail("found '\(describe(current))', expected: identifier") }
        index += 1
        return s
    }

    private func validateKey(_ key: String) throws(KubeError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name = parts.last ?? ""
        let valid: Bool
        switch parts.count {
        case 1: valid = SelectorParser.isQualifiedName(name)
        case 2: valid = NameRule.subdomain.violation(String(parts[0])) == nil && SelectorParser.isQualifiedName(name)
        default: valid = false
        }
        if !valid {
            throw fail("invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    private func validateValue(_ value: String) throws(KubeError) {
        if !value.isEmpty && !SelectorParser.isQualifiedName(Substring(value)) {
            throw fail("invalid label value: \"\(value)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func isQualifiedName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last, s.utf8.count <= 63 else { return false }
        func alnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) }
        return alnum(first) && alnum(last) && s.unicodeScalars.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

/// Whether an object's labels satisfy a selector in kube's string syntax (nil or empty
/// selects everything; a selector that does not parse selects nothing). For callers
/// outside the store that route changes as a watch with that selector would.
public func labelSelector(_ selector: String?, selects object: JSON) -> Bool {
    guard let parsed = try? LabelSelector(parsing: selector) else { return false }
    return parsed.matches(object: object)
}
