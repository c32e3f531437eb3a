import JSONValue
import Kube

/// Resolves kinds and resources for steps through the process's one `DiscoveryCache`,
/// turning a miss into a step failure that says what is missing.
public struct ResourceResolver: Sendable {
    public let cache: DiscoveryCache

    public init(cache: DiscoveryCache) { self.cache = cache }

    /// A resolver with a cache of its own (tools and tests that resolve a few kinds).
    public init(api: any KubeAPI) { self.cache = DiscoveryCache(api: api) }

    /// The resource type of `kind` in `apiVersion` (or, without one, the first served
    /// version, preferring the core group and `apps`).
    public func resolve(apiVersion: String?, kind: String) async throws -> ResourceInfo {
        if let apiVersion {
            let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
            if let found = try await cache.first(where: { $0.gvr.group == gvk.group && $0.gvr.version == gvk.version && $0.kind == kind }) {
                return found
            }
        } else {
            let matches = try await cache.filter { $0.kind == kind }
            if let found = matches.first(where: { $0.gvr.group.isEmpty }) ?? matches.first(where: { $0.gvr.group == "apps" }) ?? matches.first {
                return found
            }
        }
        let what = apiVersion.map { "\($0) \(kind)" } ?? kind
        throw StepError("the cluster serves no resource of kind \(what) (is its CRD installed?)")
    }

    public func resolve(_ gvr: GroupVersionResource) async throws -> ResourceInfo {
        if let found = try await cache.first(where: { $0.gvr == gvr }) { return found }
        throw StepError("the cluster serves no resource \(gvr)")
    }
}
