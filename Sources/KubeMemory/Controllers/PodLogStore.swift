import Synchronization

/// What the simulated kubelet's containers wrote, by pod uid and container name, kept to
/// a bounded tail per container as a node's log rotation would.
final class PodLogStore: Sendable {
    private let logs = Mutex<[String: [String: [UInt8]]]>([:])
    /// Bytes kept per container; older output is dropped first.
    let limitPerContainer: Int

    init(limitPerContainer: Int = 4 << 20) { self.limitPerContainer = limitPerContainer }

    func append(uid: String, container: String, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        logs.withLock { all in
            var log = all[uid]?[container] ?? []
            log.append(contentsOf: bytes)
            if log.count > limitPerContainer { log.removeFirst(log.count - limitPerContainer) }
            all[uid, default: [:]][container] = log
        }
    }

    /// Marks a container as started: its log exists, even while empty.
    func start(uid: String, container: String) {
        logs.withLock { all in
            if all[uid]?[container] == nil { all[uid, default: [:]][container] = [] }
        }
    }

    func log(uid: String, container: String) -> [UInt8]? {
        logs.withLock { $0[uid]?[container] }
    }

    func remove(uid: String) {
        _ = logs.withLock { $0.removeValue(forKey: uid) }
    }
}

/// A writer into one container's log, usable as a command's stdout and stderr.
struct PodLogOutput: PodOutput {
    let store: PodLogStore
    let uid: String
    let container: String

    func write(_ bytes: [UInt8]) async throws { store.append(uid: uid, container: container, bytes) }
}
