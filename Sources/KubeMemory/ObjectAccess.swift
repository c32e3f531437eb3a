import JSONValue

/// Reading the metadata the server works with. Inputs are checked to be objects with an
/// object `metadata` before these are used (see `ClusterState.checkShape`).
extension JSON {
    var objectName: String { self["metadata"]?["name"]?.string ?? "" }
    var objectNamespace: String { self["metadata"]?["namespace"]?.string ?? "" }
    var objectUID: String { self["metadata"]?["uid"]?.string ?? "" }
    var objectResourceVersion: String { self["metadata"]?["resourceVersion"]?.string ?? "" }
    var objectFinalizers: [String] { (self["metadata"]?["finalizers"]?.array ?? []).compactMap(\.string) }
    var isBeingDeleted: Bool { self["metadata"]?["deletionTimestamp"].map { !$0.isNull } ?? false }

    /// The uids named in `metadata.ownerReferences`.
    var objectOwnerUIDs: [String] {
        (self["metadata"]?["ownerReferences"]?.array ?? []).compactMap { $0["uid"]?.string }
    }

    /// Sets a metadata field, creating `metadata` when needed.
    mutating func setMetadata(_ key: String, _ value: JSON?) {
        set(value, at: ["metadata", key])
    }

    mutating func setFinalizers(_ finalizers: [String]) {
        setMetadata("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }))
    }
}
