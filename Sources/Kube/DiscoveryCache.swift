import Synchronization

/// The one discovery cache of a process: which resource types the server serves, for
/// resolving kinds to resources. Everything that resolves kinds (the operator's watch,
/// every step, the children's cleanup) asks one instance, so that discovery is fetched
/// once and refreshed once.
///
/// A miss refreshes it (a CRD created after start-up is found on the next attempt),
/// at most once per `missRefreshInterval` so that a handler naming a kind that does not
/// exist cannot turn every retry into a full discovery; concurrent refreshes share one
/// fetch. `refreshPeriodically` keeps it fresh in the background (kinds removed, new
/// versions) for the operator's lifetime.
public final class DiscoveryCache: Sendable {
    public let api: any KubeAPI
    public let missRefreshInterval: Duration

    private struct State {
        var resources: [ResourceInfo]?
        var fetchedAt: ContinuousClock.Instant?
        var inFlight: Task<[ResourceInfo], any Error>?
    }
    private let state = Mutex(State())

    public init(api: any KubeAPI, missRefreshInterval: Duration = .seconds(2)) {
        self.api = api
        self.missRefreshInterval = missRefreshInterval
    }

    /// Every served resource type (fetched on first use).
    public func all() async throws -> [ResourceInfo] {
        if let cached = state.withLock({ $0.resources }) { return cached }
        return try await refresh()
    }

    /// The first resource type matching `predicate`; on a miss, discovery is fetched
    /// again (unless it was fetched very recently) and searched once more.
    public func first(where predicate: (ResourceInfo) -> Bool) async throws -> ResourceInfo? {
        if let found = try await all().first(where: predicate) { return found }
        let recent = state.withLock { s in s.fetchedAt.map { ContinuousClock.now - $0 < missRefreshInterval } ?? false }
        if recent { return nil }
        return try await refresh().first(where: predicate)
    }

    /// Every resource type matching `predicate`, refreshing once on a miss like `first`.
    public func filter(_ predicate: (ResourceInfo) -> Bool) async throws -> [ResourceInfo] {
        let found = try await all().filter(predicate)
        if !found.isEmpty { return found }
        let recent = state.withLock { s in s.fetchedAt.map { ContinuousClock.now - $0 < missRefreshInterval } ?? false }
        if recent { return [] }
        return try await refresh().filter(predicate)
    }

    /// Fetches discovery now (joining a fetch already under way).
    @discardableResult
    public func refresh() async throws -> [ResourceInfo] {
        let task: Task<[ResourceInfo], any Error> = state.withLock { s in
            if let running = s.inFlight { return running }
            let api = self.api
            let t = Task { try await api.resources() }
            s.inFlight = t
            return t
        }
        do {
            let fresh = try await task.value
            state.withLock { s in
                s.resources = fresh
                s.fetchedAt = .now
                s.inFlight = nil
            }
            return fresh
        } catch {
            state.withLock { $0.inFlight = nil }
            throw error
        }
    }

    /// Refreshes every `period` until the calling task is cancelled; failures keep the
    /// last answer (the next period tries again).
    public func refreshPeriodically(every period: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            _ = try? await refresh()
        }
    }
}
