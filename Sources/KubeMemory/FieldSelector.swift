import Platform
import JSONValue
import Kube

/// A parsed field selector: `metadata.name=x,metadata.namespace!=y` (`=`, `==`, `!=`),
/// restricted to the field labels the resource type supports, as kube does.
struct FieldSelector: Sendable, Equatable {
    struct Requirement: Sendable, Equatable {
        var field: String
        var value: String
        var negated: Bool
    }

    var requirements: [Requirement]

    static let everything = FieldSelector(requirements: [])

    init(requirements: [Requirement]) { self.requirements = requirements }

    init(parsing text: String?, for type: ResourceType) throws(KubeError) {
        requirements = []
        guard let text, !text.isEmpty else { return }
        for term in FieldSelector.split(text, on: ",") where !term.isEmpty {
            let r: Requirement
            if let i = FieldSelector.operatorRange(term, "!=") {
                r = .init(field: String(term[..<i.lowerBound]), value: FieldSelector.unescape(term[i.upperBound...]), negated: true)
            } else if let i = FieldSelector.operatorRange(term, "==") ?? FieldSelector.operatorRange(term, "=") {
                r = .init(field: String(term[..<i.lowerBound]), value: FieldSelector.unescape(term[i.upperBound...]), negated: false)
            } else {
                throw KubeError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            let field = r.field.trimmingBlanks()
            guard field == "metadata.name" || field == "metadata.namespace" || type.fieldLabels.contains(field) else {
                if type.isCustom {
                    throw KubeError.badRequest("\"\(field)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
                }
                throw KubeError.badRequest("field label not supported: \(field)")
            }
            requirements.append(.init(field: field, value: r.value, negated: r.negated))
        }
    }

    func matches(_ object: JSON) -> Bool {
        requirements.allSatisfy { r in
            let path = r.field == "source" ? "source.component" : r.field
            let have: String
            switch object[path: path] {
            case .string(let s)?: have = s
            case .bool(let b)?: have = b ? "true" : "false"
            case let v? where v.isNumber: have = v.serialized()
            default: have = ""
            }
            return (have == r.value) != r.negated
        }
    }

    /// Splits on an unescaped separator (`\,` is a literal comma).
    static func split(_ s: String, on sep: Character) -> [Substring] {
        var out: [Substring] = []
        var start = s.startIndex
        var i = s.startIndex
        var escaped = false
        while i < s.endIndex {
            if escaped { escaped = false } else if s[i] == "\\" { escaped = true } else if s[i] == sep {
                out.append(s[start..<i])
                start = s.index(after: i)
            }
            i = s.index(after: i)
        }
        out.append(s[start...])
        return out
    }

    static func operatorRange(_ term: Substring, _ op: String) -> Range<Substring.Index>? {
        var i = term.startIndex
        var escaped = false
        while i < term.endIndex {
            if escaped { escaped = false } else if term[i] == "\\" { escaped = true } else if term[i...].hasPrefix(op) {
                return i..<term.index(i, offsetBy: op.count)
            }
            i = term.index(after: i)
        }
        return nil
    }

    static func unescape(_ s: Substring) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}

