import Platform
import JSONValue

/// The JSONPath subset CRD printer columns use: `.a.b`, `.items[0]`, and
/// `.conditions[?(@.type=="Ready")].status` (first match).
struct SimpleJSONPath: Sendable {
    enum Step: Sendable {
        case key(String)
        case index(Int)
        case filter(key: String, value: String)
    }

    let steps: [Step]

    /// Nil for a path outside the subset.
    init?(_ text: String) {
        var steps: [Step] = []
        var s = Substring(text.trimmingBlanks())
        if s.hasPrefix("{"), s.hasSuffix("}") { s = s.dropFirst().dropLast() }
        while !s.isEmpty {
            if s.hasPrefix(".") {
                s = s.dropFirst()
                let key = s.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { return nil }
                steps.append(.key(String(key)))
                s = s.dropFirst(key.count)
            } else if s.hasPrefix("[") {
                guard let close = s.firstIndex(of: "]") else { return nil }
                let inner = s[s.index(after: s.startIndex)..<close]
                if let i = Int(inner) {
                    steps.append(.index(i))
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")") {
                    let cond = inner.dropFirst(4).dropLast()
                    let parts = cond.split(separator: "=", omittingEmptySubsequences: true)
                    guard cond.includes("=="), parts.count == 2 else { return nil }
                    let value = parts[1].trimmingBlanks().replacingQuotes()
                    steps.append(.filter(key: parts[0].trimmingBlanks(), value: value))
                } else if inner.hasPrefix("'"), inner.hasSuffix("'"), inner.count >= 2 {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else {
                    return nil
                }
                s = s[s.index(after: close)...]
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    func evaluate(_ value: JSON) -> JSON? {
        var current = value
        for step in steps {
            switch step {
            case .key(let k):
                guard let next = current[k] else { return nil }
                current = next
            case .index(let i):
                guard let a = current.array else { return nil }
                let index = i < 0 ? a.count + i : i
                guard a.indices.contains(index) else { return nil }
                current = a[index]
            case .filter(let k, let v):
                guard let match = current.array?.first(where: { item in
                    guard let field = item[k] else { return false }
                    return field.string == v || field.description == v
                }) else { return nil }
                current = match
            }
        }
        return current
    }
}

extension StringProtocol {
    func replacingQuotes() -> String {
        var s = Substring(self)
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
