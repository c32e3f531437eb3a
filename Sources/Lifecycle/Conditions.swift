import JSONValue

/// One `metav1.Condition` as yopf sets it.
public struct Condition: Sendable, Equatable {
    public enum Status: String, Sendable { case `true` = "True", `false` = "False", unknown = "Unknown" }
    public var type: String
    public var status: Status
    public var reason: String
    public var message: String

    public init(_ type: String, _ status: Status, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    /// A condition written by a handler: `{type, status, reason?, message?}`.
    public init?(json: JSON) {
        guard let type = json["type"]?.string, !type.isEmpty else { return nil }
        let status: Status
        switch json["status"] {
        case .bool(true)?, .string("True")?: status = .true
        case .bool(false)?, .string("False")?: status = .false
        default: status = .unknown
        }
        self.init(type, status, reason: Conditions.reason(json["reason"]?.string ?? "Set"), message: json["message"]?.string ?? "")
    }
}

/// Merges conditions into `status.conditions` following the API conventions:
/// `lastTransitionTime` moves only when `status` changes; `observedGeneration` is the
/// generation that was handled; conditions of other types (the user's own) are kept.
public enum Conditions {
    public static func merge(_ updates: [Condition], into existing: JSON?, generation: Int?, now: String) -> JSON {
        var list = existing?.array ?? []
        for c in updates {
            let index = list.firstIndex { $0["type"]?.string == c.type }
            let previous = index.map { list[$0] }
            let transitioned = previous?["status"]?.string != c.status.rawValue
            var entry: JSON = [
                "type": .string(c.type), "status": .string(c.status.rawValue),
                "reason": .string(c.reason), "message": .string(c.message),
                "lastTransitionTime": transitioned ? .string(now) : (previous?["lastTransitionTime"] ?? .string(now)),
            ]
            if let generation { entry["observedGeneration"] = .int(generation) }
            if let index { list[index] = entry } else { list.append(entry) }
        }
        return .array(list)
    }

    /// A condition reason must be CamelCase letters: `HandlerFailed`, `Handled`.
    public static func reason(_ text: String) -> String {
        var out = ""
        var upper = true
        for ch in text {
            if ch.isLetter || ch.isNumber {
                out.append(upper ? Character(ch.uppercased()) : ch)
                upper = false
            } else {
                upper = true
            }
        }
        if out.isEmpty || !(out.first!.isLetter) { out = "Reason" + out }
        return out
    }
}
