import JSONValue
import Kube

/// etcd's limit on what one write may store, applied where the in-memory server stores an
/// object (create and update; not dry runs, which never reach etcd). kube-apiserver passes
/// etcd's refusal through as it is: a 500 with the message "etcdserver: request is too
/// large" and no reason (measured on kube-apiserver v1.28.15 with etcd 3.4's default
/// `--max-request-bytes`). Request bodies over 3 MiB are refused earlier, with 413, by the
/// HTTP front (DevCluster). Called by ClusterState's create and replace.
enum StoredSizeLimit {
    /// etcd's default `--max-request-bytes` (1.5 MiB).
    static let bytes = 1_572_864

    static func check(_ object: JSON) throws {
        guard object.serializedBytes().count > bytes else { return }
        throw KubeError(status: [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": "etcdserver: request is too large", "code": 500,
        ])
    }
}
