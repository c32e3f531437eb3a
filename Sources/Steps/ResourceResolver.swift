import JSONValue
import Kube
import Synchronization

/// Finds resource types by kind through discovery, cached; asks again once on a miss
/// (a CRD installed after the operator started).
public final class ResourceResolver: Sendable {
    private let api: any KubeAPI
    private let cache = Mutex<[ResourceInfo]?>(nil)

    public init(api: any KubeAPI) { self.api = api }

    /// The resource type of `kind` in `apiVersion` (or, without one, the first served
    /// version, preferring the core group and `apps`).
    public func resolve(apiVersion: String?, kind: String) async throws -> ResourceInfo {
        if let found = try await lookup(apiVersion: apiVersion, kind: kind, refresh: false) { return found }
        if let found = try await lookup(apiVersion: apiVersion, kind: kind, refresh: true) { return found }
        let what = apiVersion.map { "\($0) \(kind)" } ?? kind
        throw StepError("the cluster serves no resource of kind \(what) (is its CRD installed?)")
    }

    public func resolve(_ gvr: GroupVersionResource) async throws -> ResourceInfo {
        for refresh in [false, true] {
            if let found = try await all(refresh: refresh).first(where: { $0.gvr == gvr }) { return found }
        }
        throw StepError("the cluster serves no resource \(gvr)")
    }

    private func all(refresh: Bool) async throws -> [ResourceInfo] {
        if !refresh, let cached = cache.withLock({ $0 }) { return cached }
        let fresh = try await api.resources()
        cache.withLock { $0 = fresh }
        return fresh
    }

    private func lookup(apiVersion: String?, kind: String, refresh: Bool) async throws -> ResourceInfo? {
        let list = try await all(refresh: refresh)
        if let apiVersion {
            let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
            return list.first { $0.gvr.group == gvk.group && $0.gvr.version == gvk.version && $0.kind == kind }
        }
        let matches = list.filter { $0.kind == kind }
        return matches.first { $0.gvr.group.isEmpty } ?? matches.first { $0.gvr.group == "apps" } ?? matches.first
    }
}
