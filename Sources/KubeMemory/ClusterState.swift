import Platform
import JSONValue
import Kube

/// Where an object lives in the store: namespace ("" for cluster-scoped) and name.
struct StoreKey: Hashable, Sendable, Comparable {
    var namespace: String
    var name: String

    static func < (a: StoreKey, b: StoreKey) -> Bool {
        a.namespace == b.namespace ? a.name < b.name : a.namespace < b.namespace
    }
}

struct ObjectAddress: Hashable, Sendable {
    var groupResource: GroupResource
    var key: StoreKey
}

/// Follow-up work after a change, done before the request returns (the garbage collector,
/// namespace and CRD cleanup run synchronously so that tests need no waiting).
enum PendingWork: Sendable, Hashable {
    /// An object with this uid is gone: its dependents may now be orphans.
    case ownerGone(String)
    /// A dependent of this owner is gone: a foreground deletion may complete.
    case foregroundCheck(String)
    /// An object may have owner references to objects that do not exist.
    case orphanCheck(ObjectAddress)
    case namespaceCheck(String)
    case crdCheck(String)
}

/// The whole state of the in-memory API server. It lives behind one lock in
/// `MemoryCluster`; every method here runs with that lock held and never blocks.
struct ClusterState: Sendable {
    var registry: ResourceRegistry
    var objects: [GroupResource: [StoreKey: JSON]] = [:]
    /// uid → where the object is, for owner-reference garbage collection.
    var uidIndex: [String: ObjectAddress] = [:]
    /// owner uid → objects naming it in `ownerReferences`.
    var dependents: [String: Set<ObjectAddress>] = [:]
    /// The cluster-wide resourceVersion of the last change.
    var resourceVersion: Int
    var history: WatchHistory
    var watchers: [Int: Watcher] = [:]
    /// Synchronous observers of every change (MemoryCluster+Observers).
    var observers: [Int: @Sendable (ClusterChange) -> Void] = [:]
    var nextObserverID = 0
    var nextWatcherID = 1
    var faults: [FaultRule] = []
    var requestCounts: [RequestKey: Int] = [:]
    var pending: [PendingWork] = []
    let watchBufferSize: Int

    init(historySize: Int, watchBufferSize: Int) {
        registry = ResourceRegistry(BuiltinResources.all)
        resourceVersion = 1
        history = WatchHistory(capacity: historySize, startingAt: 1)
        self.watchBufferSize = max(2, watchBufferSize)
        let now = Timestamp.now()
        for ns in BuiltinResources.initialNamespaces {
            let object: JSON = [
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": ["name": .string(ns), "uid": .string(Identifiers.uuid()), "creationTimestamp": .string(now),
                             "labels": ["kubernetes.io/metadata.name": .string(ns)]],
                "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
            ]
            put(object, at: address(BuiltinResources.namespaces, namespace: nil, name: ns), event: .added, previous: nil)
            putDefaultServiceAccount(ns, now: now)
        }
    }

    /// The `default` ServiceAccount kube-controller-manager puts in every namespace
    /// (pods that name no account run as it); stored with the namespace here.
    mutating func putDefaultServiceAccount(_ namespace: String, now: String) {
        let gvr = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")
        let at = address(gvr, namespace: namespace, name: "default")
        guard object(at: at) == nil else { return }
        let account: JSON = [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": "default", "namespace": .string(namespace), "uid": .string(Identifiers.uuid()), "creationTimestamp": .string(now)],
        ]
        put(account, at: at, event: .added, previous: nil)
    }

    func address(_ gvr: GroupVersionResource, namespace: String?, name: String) -> ObjectAddress {
        ObjectAddress(groupResource: GroupResource(gvr), key: StoreKey(namespace: namespace ?? "", name: name))
    }

    func object(at a: ObjectAddress) -> JSON? { objects[a.groupResource]?[a.key] }

    func namespaceObject(_ name: String) -> JSON? {
        objects[GroupResource(BuiltinResources.namespaces)]?[StoreKey(namespace: "", name: name)]
    }

    mutating func nextResourceVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    // MARK: Store primitives: every change goes through these two.

    /// Stores an object (its resourceVersion is stamped here), keeps the indexes and
    /// tells watchers.
    mutating func put(_ object: JSON, at a: ObjectAddress, event: WatchEvent.EventType, previous: JSON?) {
        var object = object
        let rv = nextResourceVersion()
        object.setMetadata("resourceVersion", .string(String(rv)))
        if let previous { unindex(previous, at: a) }
        objects[a.groupResource, default: [:]][a.key] = object
        index(object, at: a)
        record(StoredEvent(resourceVersion: rv, type: event, groupResource: a.groupResource,
                           namespace: a.key.namespace, object: object, previous: previous))
    }

    /// Removes an object for good (DELETED event) and queues the follow-up work.
    /// Removes the object; returns it with the resourceVersion of its deletion (what
    /// etcd's delete answers, and what kube-apiserver returns for the write that removed
    /// the last finalizer).
    @discardableResult
    mutating func removeObject(_ object: JSON, at a: ObjectAddress) -> JSON {
        guard let stored = self.object(at: a) else { return object }
        var object = object
        let rv = nextResourceVersion()
        object.setMetadata("resourceVersion", .string(String(rv)))
        objects[a.groupResource]?[a.key] = nil
        unindex(stored, at: a)
        record(StoredEvent(resourceVersion: rv, type: .deleted, groupResource: a.groupResource,
                           namespace: a.key.namespace, object: object, previous: nil))
        afterRemoval(object, at: a)
        return object
    }

    private mutating func index(_ object: JSON, at a: ObjectAddress) {
        let uid = object.objectUID
        if !uid.isEmpty { uidIndex[uid] = a }
        for owner in object.objectOwnerUIDs { dependents[owner, default: []].insert(a) }
    }

    private mutating func unindex(_ object: JSON, at a: ObjectAddress) {
        let uid = object.objectUID
        if !uid.isEmpty, uidIndex[uid] == a { uidIndex[uid] = nil }
        for owner in object.objectOwnerUIDs {
            dependents[owner]?.remove(a)
            if dependents[owner]?.isEmpty == true { dependents[owner] = nil }
        }
    }

    /// Appends to the history and feeds every watcher of the type.
    private mutating func record(_ e: StoredEvent) {
        history.append(e)
        if !observers.isEmpty {
            let change = ClusterChange(type: e.type, group: e.groupResource.group, resource: e.groupResource.resource,
                                       namespace: e.namespace, object: e.object, resourceVersion: e.resourceVersion)
            for observer in observers.values { observer(change) }
        }
        var ended: [Int] = []
        for (id, w) in watchers where w.groupResource == e.groupResource {
            guard let view = w.view(e) else { continue }
            var w = w
            if w.send(view, resourceVersion: e.resourceVersion, currentRV: resourceVersion) == .ended {
                ended.append(id)
            } else {
                watchers[id] = w
            }
        }
        for id in ended { watchers.removeValue(forKey: id)?.end() }
    }
}
