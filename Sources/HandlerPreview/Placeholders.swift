import JQ
import JSONValue
import Platform
import Spec
import Steps

/// What a preview cannot know and stands in for: the outputs of earlier steps that only a
/// run produces (`$steps.NAME` of an exec, an apply, a Job — and of `get`/`list` steps
/// without `--cluster`), and `$item`/`$index` of a `forEach` whose items come from them.
///
/// An expression that reads one of them is not evaluated: it renders as a placeholder
/// text such as `<output of step existing>`, so that the rest of a manifest or command
/// still renders. Which outputs an expression reads is found by scanning its text
/// (`ExpressionReads`), the scan the loader uses for `$steps` checks.
struct Placeholders: Sendable {
    /// Unknown step outputs, by step name.
    var unknownSteps: Set<String> = []
    /// Set when `$item` and `$index` are unknown: the text standing in for them.
    var unknownItem: String? = nil

    /// The placeholder for an expression, or nil when it can be evaluated.
    func standIn(for source: String) -> String? {
        if let unknownItem, ExpressionReads.variable("item", in: source) || ExpressionReads.variable("index", in: source) {
            return unknownItem
        }
        guard !unknownSteps.isEmpty, ExpressionReads.variable("steps", in: source) else { return nil }
        guard let read = ExpressionReads.stepOutputs(in: source) else {
            return "<depends on the outputs of steps \(unknownSteps.sorted().joined(separator: ", "))>"
        }
        if let name = read.filter(unknownSteps.contains).sorted().first { return Self.text(forStep: name) }
        return nil
    }

    static func text(forStep name: String) -> String { "<output of step \(name)>" }

    /// An evaluator that puts placeholders in, recording which it used and the last
    /// expression it was asked for (the one that failed, when evaluation throws).
    func evaluator(pool: JQPool, log: PlaceholderLog) -> Evaluator {
        let copy = self
        return Evaluator(pool: pool, standIn: { expression in
            log.asked(expression.id)
            guard let text = copy.standIn(for: expression.source) else { return nil }
            log.used(text)
            return .string(text)
        })
    }
}

/// What one step's rendering met: the placeholders it put in and the last expression it
/// evaluated. Rendering is sequential, so the last expression asked for before an error
/// is the one that failed.
final class PlaceholderLog: Sendable {
    private let state = Locked<(used: [String], last: ExpressionID?)>(([], nil))

    func asked(_ id: ExpressionID) { state.update { $0.last = id } }

    func used(_ text: String) {
        state.update { s in if !s.used.contains(text) { s.used.append(text) } }
    }

    var placeholders: [String] { state.value.used }
    var lastExpression: ExpressionID? { state.value.last }
}
