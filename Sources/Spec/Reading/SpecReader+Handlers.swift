import JSONValue
import YAMLLoader

/// `spec.handlers`: each handler's fields, the rules between them (`field` only on
/// update, `interval` on timers), unique ids, and the `$steps` references of its
/// expressions.
extension SpecReader {
    func readHandlers(_ node: Node?) -> [HandlerSpec]? {
        guard let node else { return nil }
        guard case .array(let items) = node.value else {
            reportType(node, expected: "a list of handlers")
            return nil
        }
        if items.isEmpty {
            report("handlers: the list is empty; an operator needs at least one handler", at: node)
            return nil
        }
        var handlers: [HandlerSpec] = []
        var firstLine: [String: Int] = [:]
        var valid = true
        for item in node.items {
            // Ids are compared as written, so that a duplicate is found even in a handler
            // with other problems.
            if let idNode = item["id"], let id = idNode.value.string {
                if let line = firstLine[id] {
                    report("duplicate handler id \"\(id)\" (first defined at line \(line))", at: idNode)
                    valid = false
                } else {
                    firstLine[id] = position(of: idNode.path).line
                }
            }
            guard let handler = readHandler(item) else {
                valid = false
                continue
            }
            handlers.append(handler)
        }
        return valid ? handlers : nil
    }

    func readHandler(_ node: Node) -> HandlerSpec? {
        let node = restoringOnKey(node)
        guard let handler = object(node, in: "handler", known: Schema.handler, required: ["id", "on"]) else { return nil }
        let id = identifier(handler["id"], what: "handler id")
        let on = enumeration(handler["on"], HandlerEvent.self)
        let what = id.map { "handler \"\($0)\"" } ?? "the handler"

        var field: [String]?
        if let node = handler["field"], let path = nonEmptyString(node) {
            field = fieldPath(path, at: node)
            if let on, on != .update {
                report("\"field\" only applies to update handlers (\(what) is on: \(on.rawValue))", at: node, onKey: true)
            }
        }
        let expressionsBefore = context.expressions.count
        let when = expression(handler["when"], role: "when")
        let retries = int(handler["retries"], minimum: 0, maximum: Limits.maximumRetries)
        let backoff = readBackoff(handler["backoff"])
        let timeout = duration(handler["timeout"], minimum: Limits.shortestTimeout)
        let interval = duration(handler["interval"], minimum: Limits.shortestInterval)
        let initialDelay = duration(handler["initialDelay"])
        if on == .timer, handler["interval"] == nil {
            report("timer \(what) needs \"interval\" (e.g. interval: 10m)", at: handler["on"] ?? handler)
        }
        if let on, on != .timer {
            for key in ["interval", "initialDelay"] {
                if let node = handler[key] {
                    report("\"\(key)\" only applies to timer handlers (\(what) is on: \(on.rawValue))", at: node, onKey: true)
                }
            }
        }
        let serviceAccount = expression(handler["serviceAccount"], role: "serviceAccount")
        let concurrency = readConcurrency(handler["concurrency"], what: what)
        let schedule = readSchedule(handler, on: on, what: what)
        let expressionsBeforeSteps = context.expressions.count

        var steps: [StepSpec] = []
        var stepExpressions: [Range<Int>] = []
        var stepNames: [String?] = []
        var stepsValid = true
        if let list = handler["steps"] {
            if case .array = list.value {
                // Names are taken as written, so that duplicates and `$steps` references are
                // checked even around steps with other problems.
                stepNames = list.items.map { $0["name"]?.value.string }
                var firstLine: [String: Int] = [:]
                for (index, item) in list.items.enumerated() {
                    if let nameNode = item["name"], let name = nameNode.value.string {
                        if let line = firstLine[name] {
                            report("duplicate step name \"\(name)\" in \(what) (first used at line \(line))", at: nameNode)
                            stepsValid = false
                        } else {
                            firstLine[name] = position(of: nameNode.path).line
                        }
                    }
                    let start = context.expressions.count
                    let step = readStep(item, index: index, handler: what)
                    stepExpressions.append(start..<context.expressions.count)
                    if let step { steps.append(step) } else { stepsValid = false }
                }
            } else {
                reportType(list, expected: "a list of steps")
                stepsValid = false
            }
        }
        let resultStart = context.expressions.count
        let result = expression(handler["result"], role: "result")

        // `$steps.NAME` may only name a step that ran before the expression is evaluated.
        checkStepReferences(in: expressionsBefore..<expressionsBeforeSteps, available: 0, names: stepNames, handler: what)
        for (index, range) in stepExpressions.enumerated() {
            checkStepReferences(in: range, available: index, names: stepNames, handler: what)
        }
        checkStepReferences(in: resultStart..<context.expressions.count, available: stepNames.count, names: stepNames,
            handler: what)

        guard let id, let on, stepsValid else { return nil }
        if handler["field"] != nil && field == nil { return nil }
        let start = position(of: node.path)
        // Which outputs are still read after each step: only those are kept in status
        // while the handler runs (for a resume), and none once it is finished.
        let table = context.expressions
        func reads(_ range: Range<Int>) -> Set<String>? {
            var names: Set<String> = []
            for index in range {
                guard let used = Self.stepOutputsRead(in: table.entries[index].source) else { return nil }
                names.formUnion(used)
            }
            return names
        }
        var outputsRead: [Set<String>?] = Array(repeating: [], count: steps.count)
        var later: Set<String>? = reads(resultStart..<context.expressions.count)
        for index in stride(from: steps.count - 1, through: 0, by: -1) {
            outputsRead[index] = later
            if let l = later, let own = reads(stepExpressions[index]) { later = l.union(own) } else { later = nil }
        }
        var built = HandlerSpec(
            id: id, on: on, field: field, when: when, retries: retries, backoff: backoff ?? BackoffSpec(),
            timeout: timeout, interval: interval, initialDelay: initialDelay, serviceAccount: serviceAccount,
            concurrency: concurrency, steps: steps, result: result, line: start.line, column: start.column)
        built.outputsReadAfter = outputsRead
        built.schedule = schedule
        if on == .schedule && schedule == nil { return nil }
        return built
    }

    /// YAML 1.1, which the loader follows because kubectl does, reads the key `on` as the
    /// boolean true, so `on: create` arrives as `"true": create`. When the source says
    /// `on`, take the key back (its path still names the document's key, for positions).
    private func restoringOnKey(_ node: Node) -> Node {
        guard case .object(let members) = node.value, members["true"] != nil, members["on"] == nil,
            let keyPosition = document.node(at: node.path + [.key("true")])?.keyPosition,
            ["on", "On", "ON"].contains(text.word(at: keyPosition))
        else { return node }
        var renamed = members
        renamed.removeAll()
        for (key, value) in members { renamed[key == "true" ? "on" : key] = value }
        var restored = Node(value: .object(renamed), path: node.path)
        restored.aliases = ["on": "true"]
        return restored
    }

    /// `spec.password` (a leading `.` is allowed, as in jq).
    private func fieldPath(_ text: String, at node: Node) -> [String]? {
        let trimmed = text.hasPrefix(".") ? String(text.dropFirst()) : text
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: { $0.isWhitespace }) }) else {
            report("field: invalid path \"\(text)\": write object keys separated by dots, e.g. spec.password", at: node)
            return nil
        }
        return parts
    }

    private func readBackoff(_ node: Node?) -> BackoffSpec? {
        guard let backoff = object(node, in: "backoff", known: Schema.backoff) else { return nil }
        var result = BackoffSpec()
        if let initial = duration(backoff["initial"], minimum: Limits.shortestBackoff) { result.initial = initial }
        if let max = duration(backoff["max"], minimum: Limits.shortestBackoff) { result.max = max }
        if let node = backoff["factor"], let factor = number(node) {
            if factor >= 1 && factor <= Limits.largestBackoffFactor {
                result.factor = factor
            } else {
                report("factor: must be from 1 to \(Int(Limits.largestBackoffFactor)), got \(factor.isFinite ? JSON.format(factor) : "\(factor)")", at: node)
            }
        }
        if result.initial > result.max {
            report("backoff: initial (\(Durations.format(result.initial))) is longer than max (\(Durations.format(result.max)))",
                at: backoff)
        }
        return result
    }
}
