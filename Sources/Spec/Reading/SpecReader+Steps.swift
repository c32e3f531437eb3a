import JSONValue
import YAMLLoader

/// A step: its common fields (`name`, `if`, `forEach`, `timeout`, `onError`) and exactly
/// one kind key, whose reading is in `SpecReader+*Steps.swift`.
extension SpecReader {
    func readStep(_ node: Node, index: Int, handler: String) -> StepSpec? {
        guard case .object(let members) = node.value else {
            reportType(node, expected: "an object (a step)")
            return nil
        }
        var kinds = members.keys.filter { Schema.stepKinds.contains($0) }
        // `wait: true|false` beside `job` is the job's option, not a wait step.
        if kinds.contains("job") { kinds.removeAll { $0 == "wait" } }
        guard let first = kinds.first, let kind = StepKind(rawValue: first) else {
            reportMissingKind(node, members: Array(members.keys))
            return nil
        }
        if kinds.count > 1 {
            report("a step does one thing, this one has \(kinds.count) kinds (\(kinds.map { "\"\($0)\"" }.joined(separator: ", "))): "
                + "split it into separate steps", at: node[kinds[1]] ?? node, onKey: true)
        }
        object(node, in: "\(kind.rawValue) step", known: Schema.stepCommon + kinds + Schema.stepOptions(kind))

        let name = identifier(node["name"], what: "step name")
        let condition = expression(node["if"], role: "if")
        let forEach = expression(node["forEach"], role: "forEach")
        let timeout = duration(node["timeout"], minimum: Limits.shortestTimeout)
        let onError = enumeration(node["onError"], OnError.self)
        guard let action = readAction(kind, in: node) else { return nil }
        guard kinds.count == 1,
            node["name"] == nil || name != nil,
            node["if"] == nil || condition != nil,
            node["forEach"] == nil || forEach != nil,
            node["timeout"] == nil || timeout != nil,
            node["onError"] == nil || onError != nil
        else { return nil }
        let start = position(of: node.path)
        return StepSpec(
            index: index, name: name, condition: condition, forEach: forEach, timeout: timeout,
            onError: onError ?? .fail, action: action, line: start.line, column: start.column)
    }

    /// No kind key: most likely a misspelt one.
    private func reportMissingKind(_ node: Node, members: [String]) {
        let kinds = Schema.stepKinds.joined(separator: ", ")
        let unknown = members.filter { !Schema.stepCommon.contains($0) && !Schema.allStepOptions.contains($0) }
        if let guess = unknown.first(where: { Suggestion.closest(to: $0, among: Schema.stepKinds) != nil }) {
            report("unknown step kind \"\(guess)\"\(Suggestion.hint(for: guess, among: Schema.stepKinds))",
                at: node[guess] ?? node, onKey: true)
        } else if let other = unknown.first {
            report("unknown step kind \"\(other)\" (expected one of: \(kinds))", at: node[other] ?? node, onKey: true)
        } else {
            report("the step does nothing: give it one of \(kinds)", at: node)
        }
    }

    private func readAction(_ kind: StepKind, in step: Node) -> StepAction? {
        guard let value = step[kind.rawValue] else { return nil }
        switch kind {
        case .apply: return readApply(value, step: step).map(StepAction.apply)
        case .create: return readCreate(value, step: step).map(StepAction.create)
        case .job: return readJob(value, step: step).map(StepAction.job)
        case .patch: return readPatch(value).map(StepAction.patch)
        case .delete: return readDelete(value).map(StepAction.delete)
        case .get: return readGet(value).map(StepAction.get)
        case .list: return readList(value).map(StepAction.list)
        case .scale: return readScale(value).map(StepAction.scale)
        case .wait: return readWait(value).map(StepAction.wait)
        case .exec: return readExec(value, in: "exec", known: Schema.exec).map(StepAction.exec)
        case .stream: return readStream(value).map(StepAction.stream)
        case .run: return readRun(value).map(StepAction.run)
        case .status: return readStatus(value).map(StepAction.status)
        case .event: return readEvent(value).map(StepAction.event)
        case .fail: return readFail(value).map(StepAction.fail)
        }
    }
}
