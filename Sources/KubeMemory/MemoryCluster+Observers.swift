import JSONValue
import Kube

/// One change of the in-memory cluster, as its observers see it.
public struct ClusterChange: Sendable {
    public var type: WatchEvent.EventType
    public var group: String
    public var resource: String
    /// The namespace ("" for cluster-scoped objects).
    public var namespace: String
    /// The object after the change (for DELETED: as it was removed).
    public var object: JSON
    public var resourceVersion: Int
}

/// Synchronous observers of every change, in resourceVersion order, called while the
/// change is made: what `yopf test` uses instead of watches, so that it knows, the moment
/// a write returns, that the operator has been told of it (a watch delivers later, from
/// another task). An observer must return quickly and must not call the cluster.
extension MemoryCluster {
    @discardableResult
    public func observe(_ observer: @escaping @Sendable (ClusterChange) -> Void) -> Int {
        state.withLock { s in
            s.nextObserverID += 1
            s.observers[s.nextObserverID] = observer
            return s.nextObserverID
        }
    }

    public func stopObserving(_ id: Int) {
        state.withLock { _ = $0.observers.removeValue(forKey: id) }
    }
}
