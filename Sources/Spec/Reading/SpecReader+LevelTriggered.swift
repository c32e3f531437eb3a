import JSONValue
import YAMLLoader

/// The level-triggered parts of an operator file: `spec.owns`, `spec.resync` and the
/// `concurrency` groups of the operator and of handlers.
extension SpecReader {
    func readOwns(_ node: Node?) -> [OwnedKind]? {
        guard let node else { return nil }
        guard case .array = node.value else {
            reportType(node, expected: "a list of kinds, e.g. [{apiVersion: apps/v1, kind: Deployment}]")
            return nil
        }
        var owned: [OwnedKind] = []
        var seen: [String: Int] = [:]
        for item in node.items {
            guard let entry = object(item, in: "owns item", known: Schema.owned, required: ["apiVersion", "kind"]) else { continue }
            let apiVersion = nonEmptyString(entry["apiVersion"])
            let kind = nonEmptyString(entry["kind"])
            let selector = readLabelSelector(entry["selector"])
            guard let apiVersion, let kind else { continue }
            let key = "\(apiVersion) \(kind)"
            if let line = seen[key] {
                report("owns: \(key) is listed twice (first at line \(line))", at: item)
                continue
            }
            seen[key] = position(of: item.path).line
            owned.append(OwnedKind(apiVersion: apiVersion, kind: kind, selector: selector))
        }
        return owned
    }

    /// A period of at least a second (a resync more often than that would be a loop).
    func readResync(_ node: Node?) -> Duration? {
        guard let node, let period = duration(node) else { return nil }
        if period < .seconds(1) {
            report("resync: must be at least 1s, got \(Durations.format(period))", at: node)
            return nil
        }
        return period
    }

    func readConcurrency(_ node: Node?, what: String) -> ConcurrencySpec? {
        guard let group = object(node, in: "concurrency", known: Schema.concurrency, required: ["key", "limit"]) else { return nil }
        let key = expression(group["key"], role: "\(what) concurrency key")
        let limit = int(group["limit"], minimum: 1)
        guard let key, let limit else { return nil }
        return ConcurrencySpec(key: key, limit: limit)
    }

    /// `cron`, `timeZone` and `startingDeadline` of an `on: schedule` handler (and only of one).
    func readSchedule(_ handler: Node, on: HandlerEvent?, what: String) -> ScheduleSpec? {
        let keys = ["cron", "timeZone", "startingDeadline"]
        guard on == .schedule else {
            if let on {
                for key in keys {
                    if let node = handler[key] {
                        report("\"\(key)\" only applies to schedule handlers (\(what) is on: \(on.rawValue))", at: node, onKey: true)
                    }
                }
            }
            return nil
        }
        guard let node = handler["cron"] else {
            report("schedule \(what) needs \"cron\" (e.g. cron: \"0 2 * * *\" or @daily)", at: handler["on"] ?? handler)
            return nil
        }
        var cron: CronExpression? = nil
        if let text = nonEmptyString(node) {
            do {
                cron = try CronExpression(text)
            } catch {
                report("cron: \(error.message)", at: position(inScalarAt: node.path, scalar: text, offset: error.offset))
            }
        }
        var zone = TimeZoneRules.utc
        if let zoneNode = handler["timeZone"], let name = nonEmptyString(zoneNode) {
            do {
                zone = try TimeZoneRules.load(named: name)
            } catch {
                report("timeZone: \(error.message)", at: zoneNode)
                return nil
            }
        }
        var deadline: Duration? = nil
        if let deadlineNode = handler["startingDeadline"], let d = duration(deadlineNode) {
            if d < .seconds(1) {
                report("startingDeadline: must be at least 1s, got \(Durations.format(d))", at: deadlineNode)
                return nil
            }
            deadline = d
        }
        guard let cron else { return nil }
        return ScheduleSpec(cron: cron, timeZone: zone, startingDeadline: deadline)
    }
}
