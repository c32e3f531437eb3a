import JSONValue

/// A JSON value (e.g. a manifest from a template file) with `${{ expr }}` placeholders in
/// its strings and object keys.
///
/// - A string that is exactly `${{ expr }}` (spaces allowed inside the braces, none
///   outside) becomes the JSON value of `expr`: `replicas: '${{ .spec.replicas }}'` is a
///   number, an object stays an object.
/// - Inside a longer string, or in an object key, a placeholder is replaced by text:
///   strings as they are, null as nothing, anything else as compact JSON.
/// - `$${{` is a literal `${{`.
/// - The expression ends at the first `}}` outside brackets and strings, so
///   `${{ {a: {b: 1}} }}` works.
/// - Each placeholder takes the first output of its expression (null when there is none);
///   the caller decides that through `render`'s `evaluate`.
public struct JQTemplate: Sendable {
    /// The value as given.
    public let value: JSON
    /// The placeholders' expressions (trimmed), in order of appearance, so that a caller
    /// can add them to a `JQProgram`.
    public let expressions: [String]
    /// Where each expression is, parallel to `expressions`.
    public let locations: [JQTemplateLocation]
    private let root: Node

    /// True when the value has no placeholders (`render` returns it with `$${{` unescaped).
    public var isConstant: Bool { expressions.isEmpty }

    /// Parses every string and key of `value`. With `compiling` (the default) the
    /// expressions are also compiled together once, so that syntax errors are reported
    /// here; a caller that compiles them into its own `JQProgram` anyway can pass false and
    /// map that program's errors back through `locations`.
    /// Throws `JQTemplateError` listing every problem.
    public init(_ value: JSON, compiling: Bool = true) throws {
        var parser = TemplateParser()
        let root = parser.node(value, path: [])
        if !parser.issues.isEmpty { throw JQTemplateError(issues: parser.issues) }
        if compiling && !parser.expressions.isEmpty {
            do {
                _ = try JQProgram(expressions: parser.expressions)
            } catch let error as JQProgramError {
                throw JQTemplateError(issues: error.errors.map { item in
                    guard parser.locations.indices.contains(item.index) else {
                        return JQTemplateIssue(path: [], inKey: false, offsetInString: 0, error: item.error)
                    }
                    return parser.locations[item.index].issue(item.error)
                })
            }
        }
        self.value = value
        self.expressions = parser.expressions
        self.locations = parser.locations
        self.root = root
    }

    /// Renders the value, asking `evaluate(i)` for the value of `expressions[i]`
    /// (typically `pool.evaluateFirst`). Errors from `evaluate` pass through.
    public func render(_ evaluate: (Int) async throws -> JSON) async throws -> JSON {
        try await root.render(evaluate)
    }
}

/// Where one template expression is.
public struct JQTemplateLocation: Sendable, Equatable {
    /// Object keys and array indices (as decimal strings) from the root to the string.
    public var path: [String]
    /// True when the string is the last key of `path` rather than a value.
    public var inKey: Bool
    /// UTF-8 byte offset of the (trimmed) expression in the string.
    public var offsetInString: Int

    /// The issue for a syntax error of this expression.
    public func issue(_ error: JQSyntaxError) -> JQTemplateIssue {
        JQTemplateIssue(path: path, inKey: inKey, offsetInString: offsetInString + (error.offset ?? 0), error: error)
    }
}

/// One problem in a template.
public struct JQTemplateIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: [String]
    public var inKey: Bool
    /// UTF-8 byte offset in the string where the problem is.
    public var offsetInString: Int
    /// The problem; its `offset`, when set, is relative to the expression.
    public var error: JQSyntaxError

    public var description: String {
        let where_ = path.isEmpty ? "the value" : path.joined(separator: ".")
        return "\(where_)\(inKey ? " (key)" : ""), byte \(offsetInString): \(error.message)"
    }
}

/// The problems of a template, in order of appearance.
public struct JQTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [JQTemplateIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

// MARK: - The parsed form

extension JQTemplate {
    fileprivate enum Part: Sendable {
        case literal(String)
        case expression(Int)
    }

    fileprivate indirect enum Node: Sendable {
        case constant(JSON)
        case value(Int)              // a string that is exactly one placeholder
        case text([Part])
        case array([Node])
        case object([(key: [Part], value: Node)])

        func render(_ evaluate: (Int) async throws -> JSON) async throws -> JSON {
            switch self {
            case .constant(let json): return json
            case .value(let index): return try await evaluate(index)
            case .text(let parts): return .string(try await Self.text(parts, evaluate))
            case .array(let nodes):
                var out: [JSON] = []
                out.reserveCapacity(nodes.count)
                for node in nodes { out.append(try await node.render(evaluate)) }
                return .array(out)
            case .object(let members):
                var out = JSONObject(minimumCapacity: members.count)
                for member in members {
                    out[try await Self.text(member.key, evaluate)] = try await member.value.render(evaluate)
                }
                return .object(out)
            }
        }

        static func text(_ parts: [Part], _ evaluate: (Int) async throws -> JSON) async throws -> String {
            var out = ""
            for part in parts {
                switch part {
                case .literal(let s): out += s
                case .expression(let index):
                    switch try await evaluate(index) {
                    case .null: break
                    case .string(let s): out += s
                    case let other: out += other.serialized()
                    }
                }
            }
            return out
        }
    }

    /// Collects expressions, their locations and issues while building the nodes.
    fileprivate struct TemplateParser {
        var expressions: [String] = []
        var locations: [JQTemplateLocation] = []
        var issues: [JQTemplateIssue] = []

        mutating func node(_ value: JSON, path: [String]) -> Node {
            switch value {
            case .string(let s):
                let parts = self.parts(s, path: path, inKey: false)
                if parts.count == 1, case .expression(let index) = parts[0], isWhole(s) { return .value(index) }
                if let literal = Self.literal(parts) { return .constant(.string(literal)) }
                return .text(parts)
            case .array(let elements):
                let nodes = elements.enumerated().map { node($0.element, path: path + [String($0.offset)]) }
                if let constant = Self.constant(nodes) { return .constant(.array(constant)) }
                return .array(nodes)
            case .object(let members):
                var out: [(key: [Part], value: Node)] = []
                for (key, member) in members {
                    out.append((parts(key, path: path + [key], inKey: true), node(member, path: path + [key])))
                }
                if out.allSatisfy({ Self.literal($0.key) != nil }), let values = Self.constant(out.map(\.value)) {
                    var object = JSONObject(minimumCapacity: out.count)
                    for (member, value) in zip(out, values) { object[Self.literal(member.key) ?? ""] = value }
                    return .constant(.object(object))
                }
                return .object(out)
            default:
                return .constant(value)
            }
        }

        /// `${{ … }}` spanning the whole string.
        private func isWhole(_ s: String) -> Bool {
            let bytes = Array(s.utf8)
            guard bytes.starts(with: Array("${{".utf8)),
                  case .closedAt(let end) = ExpressionScanner.scan(bytes, from: 3, stopAtDoubleBrace: true)
            else { return false }
            return end + 2 == bytes.count
        }

        private mutating func parts(_ s: String, path: [String], inKey: Bool) -> [Part] {
            guard s.utf8.contains(UInt8(ascii: "$")) else { return [.literal(s)] }
            let bytes = Array(s.utf8)
            var parts: [Part] = []
            var literal: [UInt8] = []
            var i = 0
            func at(_ i: Int, _ prefix: String) -> Bool { bytes[i...].starts(with: prefix.utf8) }
            while i < bytes.count {
                if at(i, "$${{") {
                    literal += Array("${{".utf8)
                    i += 4
                    continue
                }
                guard at(i, "${{") else {
                    literal.append(bytes[i])
                    i += 1
                    continue
                }
                let issue = { (offset: Int, message: String) in
                    JQTemplateIssue(path: path, inKey: inKey, offsetInString: offset, error: JQSyntaxError(message: message, offset: nil))
                }
                switch ExpressionScanner.scan(bytes, from: i + 3, stopAtDoubleBrace: true) {
                case .closedAt(let end):
                    var start = i + 3
                    var stop = end
                    while start < stop, Self.isSpace(bytes[start]) { start += 1 }
                    while stop > start, Self.isSpace(bytes[stop - 1]) { stop -= 1 }
                    guard start < stop else {
                        issues.append(issue(i, "empty expression in ${{ }}"))
                        return [.literal(s)]
                    }
                    if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
                    literal = []
                    parts.append(.expression(expressions.count))
                    expressions.append(String(decoding: bytes[start..<stop], as: UTF8.self))
                    locations.append(JQTemplateLocation(path: path, inKey: inKey, offsetInString: start))
                    i = end + 2
                case .failure(let message, let index):
                    issues.append(issue(index, message))
                    return [.literal(s)]
                case .unterminated, .balanced:
                    issues.append(issue(i, "unterminated ${{: no closing }} (write $${{ for a literal ${{)"))
                    return [.literal(s)]
                }
            }
            if !literal.isEmpty || parts.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
            return parts
        }

        private static func isSpace(_ c: UInt8) -> Bool {
            c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
        }

        /// The text of parts without expressions.
        private static func literal(_ parts: [Part]) -> String? {
            var out = ""
            for part in parts {
                guard case .literal(let s) = part else { return nil }
                out += s
            }
            return out
        }

        private static func constant(_ nodes: [Node]) -> [JSON]? {
            var out: [JSON] = []
            for node in nodes {
                guard case .constant(let json) = node else { return nil }
                out.append(json)
            }
            return out
        }
    }
}
