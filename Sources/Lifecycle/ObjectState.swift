import JSONValue
import Steps

/// What yopf keeps about one object in the object itself, under `status.yopf`, so that
/// any process (a restarted one, a new leader) continues where the last one stopped.
///
/// Layout (all optional):
/// ```yaml
/// status:
///   yopf:
///     cycle: {id: 3, purpose: update, started: "…"}   # present while handlers are running
///                                                       # (+ handlers: [ids] for a re-run)
///     progress:                                         # while a cycle runs; after it,
///                                                       # only its failures and timers
///       <handler-id>: {cycle: 3, started, stopped, delayed, purpose, retries, success,
///                      failure, message, step: 2, steps: {<step-name>: <output>}}
///     handled: {spec: …, labels: …, annotations: …}   # the diff base
///     handledDigest: "…"                                # instead of `handled` when too big
///     lastCycle: 3
///     children: [{apiVersion, kind, namespace, name, uid}]    # linked by labels
///     retried: "1733312000"          # the last `yopf.dev/retry` annotation acted on
///     schedules: {<handler-id>: {lastRun, nextRun, lastResult}}
///   <handler-id>: <result>                               # like Kopf
///   conditions: [Ready, Progressing, Degraded]
/// ```
/// Why in status and not in annotations as Kopf does (Kopf moved there in 1.44): one
/// status write then carries progress, results, conditions and the diff base together,
/// and a status write never changes `metadata.generation` or triggers spec watchers.
public struct ObjectState: Sendable, Equatable {
    public var cycle: Cycle?
    public var lastCycle: Int
    public var progress: [String: ProgressRecord]
    /// The essence (spec, labels, annotations) as last handled; nil for never handled.
    public var handled: JSON?
    /// A digest of the essence when it was too big to store (Kopf#1087).
    public var handledDigest: String?
    /// Children linked by labels (other namespace, cluster-scoped): deleted by yopf
    /// when the resource is deleted, since no owner reference can reach them.
    public var children: [ChildRef]
    /// The value of the `yopf.dev/retry` annotation last acted on.
    public var retried: String?
    /// Cron handlers: `{lastRun, nextRun, lastResult}` by handler id.
    public var schedules: JSONObject

    public init(cycle: Cycle? = nil, lastCycle: Int = 0, progress: [String: ProgressRecord] = [:], handled: JSON? = nil,
                handledDigest: String? = nil, children: [ChildRef] = [], retried: String? = nil, schedules: JSONObject? = nil) {
        self.cycle = cycle
        self.lastCycle = lastCycle
        self.progress = progress
        self.handled = handled
        self.handledDigest = handledDigest
        self.children = children
        self.retried = retried
        self.schedules = schedules ?? [:]
    }

    /// A run of the handlers for one cause.
    public struct Cycle: Sendable, Equatable {
        public var id: Int
        public var purpose: Purpose
        public var started: String
        /// A re-run (`yopf.dev/retry`) runs only the handlers that had failed.
        public var only: [String]?

        public init(id: Int, purpose: Purpose, started: String, only: [String]? = nil) {
            self.id = id
            self.purpose = purpose
            self.started = started
            self.only = only
        }
    }

    /// At the end of a cycle, like Kopf's purge of its progress: records of handlers that
    /// succeeded, and any of older cycles, are history nobody reads, and every byte of
    /// status costs the API server on each write and each watcher. Kept: this cycle's
    /// failures (their message; `yopf.dev/retry` re-runs them) and timer and schedule
    /// records, which outlive cycles.
    public mutating func dropHistory(completed id: Int) {
        progress = progress.filter { _, record in
            record.purpose == .timer || record.purpose == .schedule || (record.cycle == id && record.failure)
        }
    }

    /// Whether the object was ever handled (create handlers ran to the end).
    public var wasHandled: Bool { handled != nil || handledDigest != nil }

    /// Reads `status.yopf` of an object; anything malformed reads as absent.
    public init(object: JSON) {
        let s = object["status"]?["yopf"] ?? .null
        if let c = s["cycle"], let id = c["id"]?.int, let p = c["purpose"]?.string.flatMap(Purpose.init(rawValue:)) {
            cycle = Cycle(id: id, purpose: p, started: c["started"]?.string ?? "",
                          only: c["handlers"]?.array.map { $0.compactMap(\.string) })
        } else {
            cycle = nil
        }
        lastCycle = s["lastCycle"]?.int ?? 0
        var records: [String: ProgressRecord] = [:]
        for (id, r) in s["progress"]?.object ?? [:] { records[id] = ProgressRecord(json: r) }
        progress = records
        handled = s["handled"].flatMap { $0.isNull ? nil : $0 }
        handledDigest = s["handledDigest"]?.string
        children = (s["children"]?.array ?? []).compactMap(ChildRef.init(json:))
        retried = s["retried"]?.string
        schedules = s["schedules"]?.object ?? [:]
    }

    /// The `status.yopf` value.
    public var json: JSON {
        var o: JSON = [:]
        if let cycle {
            var c: JSON = ["id": .int(cycle.id), "purpose": .string(cycle.purpose.rawValue), "started": .string(cycle.started)]
            if let only = cycle.only { c["handlers"] = .array(only.map { .string($0) }) }
            o["cycle"] = c
        }
        o["lastCycle"] = .int(lastCycle)
        var p = JSONObject()
        for id in progress.keys.sorted() { p[id] = progress[id]!.json }
        if !p.isEmpty { o["progress"] = .object(p) }
        if let handled { o["handled"] = handled }
        if let handledDigest { o["handledDigest"] = .string(handledDigest) }
        if !children.isEmpty { o["children"] = .array(children.map(\.json)) }
        if let retried { o["retried"] = .string(retried) }
        if !schedules.isEmpty { o["schedules"] = .object(schedules) }
        return o
    }
}

/// Why handlers run.
public enum Purpose: String, Sendable, Equatable, CaseIterable {
    case create, update, delete, resume, timer, reconcile, schedule
}

extension Purpose {
    /// The purpose of the cycle a cause starts.
    public init(_ cause: Cause) {
        switch cause {
        case .create: self = .create
        case .update: self = .update
        case .delete: self = .delete
        case .resume: self = .resume
        case .reconcile: self = .reconcile
        }
    }
}

/// One handler's progress, with Kopf's fields plus where to continue.
public struct ProgressRecord: Sendable, Equatable {
    /// The cycle this record belongs to; records of older cycles are history.
    public var cycle: Int
    public var started: String?
    public var stopped: String?
    /// Not before this time (a retry's backoff).
    public var delayed: String?
    public var purpose: Purpose?
    /// Failed attempts so far.
    public var retries: Int
    public var success: Bool
    public var failure: Bool
    public var message: String?
    /// Index of the next step to run.
    public var step: Int
    /// Outputs of finished steps, by step name: `$steps.NAME` on resume.
    public var steps: JSONObject

    public init(cycle: Int, purpose: Purpose?) {
        self.cycle = cycle
        self.purpose = purpose
        retries = 0
        success = false
        failure = false
        step = 0
        steps = [:]
    }

    public var isFinished: Bool { success || failure }

    init(json r: JSON) {
        cycle = r["cycle"]?.int ?? 0
        started = r["started"]?.string
        stopped = r["stopped"]?.string
        delayed = r["delayed"]?.string
        purpose = r["purpose"]?.string.flatMap(Purpose.init(rawValue:))
        retries = r["retries"]?.int ?? 0
        success = r["success"]?.bool ?? false
        failure = r["failure"]?.bool ?? false
        message = r["message"]?.string
        step = r["step"]?.int ?? 0
        steps = r["steps"]?.object ?? [:]
    }

    public var json: JSON {
        var o: JSON = ["cycle": .int(cycle)]
        if let started { o["started"] = .string(started) }
        if let stopped { o["stopped"] = .string(stopped) }
        if let delayed { o["delayed"] = .string(delayed) }
        if let purpose { o["purpose"] = .string(purpose.rawValue) }
        o["retries"] = .int(retries)
        o["success"] = .bool(success)
        o["failure"] = .bool(failure)
        if let message { o["message"] = .string(message) }
        o["step"] = .int(step)
        if !steps.isEmpty { o["steps"] = .object(steps) }
        return o
    }
}
