import JSONValue
import YAMLLoader

/// Steps that report: `status`, `event` and `fail`.
extension SpecReader {
    func readStatus(_ node: Node) -> StatusAction? {
        guard case .object = node.value else {
            reportType(node, expected: "an object (merged into status)")
            return nil
        }
        return template(node, role: "status").map(StatusAction.init)
    }

    func readEvent(_ node: Node) -> EventAction? {
        guard let event = object(node, in: "event", known: Schema.event, required: ["reason", "message"]) else {
            return nil
        }
        let type = enumeration(event["type"], EventAction.EventType.self)
        var reason: String?
        if let node = event["reason"], let text = literalString(node) {
            let scalars = Array(text.unicodeScalars)
            if let first = scalars.first, ("A"..."Z").contains(first),
                scalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) })
            {
                reason = text
            } else {
                report("reason: \"\(text)\" must be UpperCamelCase letters and digits, e.g. BackupDone", at: node)
            }
        }
        let message = templateString(event["message"], role: "message")
        guard let reason, let message, event["type"] == nil || type != nil else { return nil }
        return EventAction(type: type ?? .normal, reason: reason, message: message)
    }

    func readFail(_ node: Node) -> FailAction? {
        guard let fail = object(node, in: "fail", known: Schema.fail, required: ["message"]) else { return nil }
        let message = templateString(fail["message"], role: "message")
        let permanent = bool(fail["permanent"])
        guard let message, fail["permanent"] == nil || permanent != nil else { return nil }
        return FailAction(message: message, permanent: permanent ?? false)
    }
}
