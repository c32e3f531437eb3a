/// `spec.owns[]`: a kind of child the operator makes and watches. A change or deletion of
/// such a child makes its owner due for its `reconcile` handlers.
///
/// Only children that yopf labelled are watched (`yopf.dev/operator=<operator name>`,
/// which yopf puts on everything it applies or creates), so memory stays proportional to
/// what the operator made, not to every object of the kind in the cluster.
public struct OwnedKind: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    /// Narrows the watch further (server-side).
    public var selector: LabelSelector?

    public init(apiVersion: String, kind: String, selector: LabelSelector? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.selector = selector
    }
}

/// `concurrency: {key, limit}` on a handler or the operator: at most `limit` runs with
/// the same key at once, across all objects (one restore per database server, one
/// certificate request per registrable domain). Runs that must wait show `Progressing`.
public struct ConcurrencySpec: Sendable, Hashable {
    /// jq over the resource; runs whose keys are equal share the limit. A null key
    /// means: not limited.
    public var key: Expression
    public var limit: Int

    public init(key: Expression, limit: Int) {
        self.key = key
        self.limit = limit
    }
}
/// `on: schedule` handlers: `cron:` (5 fields or `@hourly` and the like), `timeZone:`
/// (IANA name; UTC when absent) and `startingDeadline:` (how late a missed run may still
/// start, as a CronJob's `startingDeadlineSeconds`).
public struct ScheduleSpec: Sendable {
    public var cron: CronExpression
    public var timeZone: TimeZoneRules
    public var startingDeadline: Duration?

    public init(cron: CronExpression, timeZone: TimeZoneRules, startingDeadline: Duration? = nil) {
        self.cron = cron
        self.timeZone = timeZone
        self.startingDeadline = startingDeadline
    }
}
