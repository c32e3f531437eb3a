import JQ
import JSONValue

/// A value that may hold `${{ expr }}` templates: a string field such as a name, or a
/// whole manifest.
///
/// A string that is exactly `${{ expr }}` becomes the JSON value of `expr`; `${{ }}` inside
/// a longer string is interpolated as text. The template's expressions are part of the
/// operator's one `JQProgram`: `template.expressions[i]` is program expression
/// `expressionIDs[i]`, so render with
/// `template.render { try await pool.evaluateFirst(value.expressionIDs[$0].index, …) }`.
/// A constant value (no `${{`) has no IDs; use `value` (`render` also works and turns
/// `$${{` into `${{`).
public struct TemplateValue: Sendable {
    /// The value as written.
    public var value: JSON
    /// The parsed template (its expressions and how to put their results together).
    public var template: JQTemplate
    /// The program index of each of `template.expressions`, in the same order.
    public var expressionIDs: [ExpressionID]

    public init(value: JSON, template: JQTemplate, expressionIDs: [ExpressionID]) {
        self.value = value
        self.template = template
        self.expressionIDs = expressionIDs
    }

    /// True when the value holds no `${{ }}`.
    public var isConstant: Bool { expressionIDs.isEmpty }

    /// The value when it is a constant string, else nil.
    public var constantString: String? { isConstant ? value.string : nil }

    /// Renders the value, evaluating expression `id` through `evaluate` (typically
    /// `{ try await pool.evaluateFirst($0.index, input: object, variables: vars) }`).
    public func render(_ evaluate: (ExpressionID) async throws -> JSON) async throws -> JSON {
        let ids = expressionIDs
        return try await template.render { index in
            guard ids.indices.contains(index) else { return .null }
            return try await evaluate(ids[index])
        }
    }
}
