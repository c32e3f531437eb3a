import Synchronization

/// What the simulated kubelet's containers wrote, by pod uid and container name, kept to
/// a bounded tail per container as a node's log rotation would; `follow` streams what is
/// written next, as `kubectl logs -f` reads it.
final class PodLogStore: Sendable {
    private struct Key: Hashable {
        let uid: String
        let container: String
    }

    private struct State {
        var logs: [String: [String: [UInt8]]] = [:]
        /// Containers that have terminated: a follower gets what they wrote and the end.
        var ended: Set<Key> = []
        var followers: [Key: [Int: AsyncStream<[UInt8]>.Continuation]] = [:]
        var nextFollower = 0
    }

    private let state = Mutex(State())
    /// Bytes kept per container; older output is dropped first.
    let limitPerContainer: Int

    init(limitPerContainer: Int = 4 << 20) { self.limitPerContainer = limitPerContainer }

    func append(uid: String, container: String, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        state.withLock { s in
            var log = s.logs[uid]?[container] ?? []
            log.append(contentsOf: bytes)
            if log.count > limitPerContainer { log.removeFirst(log.count - limitPerContainer) }
            s.logs[uid, default: [:]][container] = log
            for follower in (s.followers[Key(uid: uid, container: container)] ?? [:]).values { follower.yield(bytes) }
        }
    }

    /// Marks a container as started: its log exists, even while empty.
    func start(uid: String, container: String) {
        state.withLock { s in
            if s.logs[uid]?[container] == nil { s.logs[uid, default: [:]][container] = [] }
        }
    }

    /// Marks a container as terminated: its followers' streams end.
    func end(uid: String, container: String) {
        let key = Key(uid: uid, container: container)
        let finished = state.withLock { s in
            s.ended.insert(key)
            return s.followers.removeValue(forKey: key).map { Array($0.values) } ?? []
        }
        for follower in finished { follower.finish() }
    }

    func log(uid: String, container: String) -> [UInt8]? {
        state.withLock { $0.logs[uid]?[container] }
    }

    /// The log so far and then what is written next; the stream ends when the container
    /// terminates or its pod goes (at once if it already has). Nil before the container started.
    func follow(uid: String, container: String) -> (sofar: [UInt8], next: AsyncStream<[UInt8]>)? {
        let key = Key(uid: uid, container: container)
        let (next, continuation) = AsyncStream<[UInt8]>.makeStream()
        // Read and subscribe under one lock: no byte falls between the two.
        let (sofar, id, open) = state.withLock { s -> ([UInt8]?, Int, Bool) in
            guard let log = s.logs[uid]?[container] else { return (nil, 0, false) }
            guard !s.ended.contains(key) else { return (log, 0, false) }
            s.nextFollower += 1
            s.followers[key, default: [:]][s.nextFollower] = continuation
            return (log, s.nextFollower, true)
        }
        guard let sofar else { return nil }
        if open {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.followers[key]?.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return (sofar, next)
    }

    func remove(uid: String) {
        let finished = state.withLock { s -> [AsyncStream<[UInt8]>.Continuation] in
            s.logs.removeValue(forKey: uid)
            s.ended = s.ended.filter { $0.uid != uid }
            var gone: [AsyncStream<[UInt8]>.Continuation] = []
            for key in s.followers.keys where key.uid == uid {
                gone += s.followers.removeValue(forKey: key).map { Array($0.values) } ?? []
            }
            return gone
        }
        for follower in finished { follower.finish() }
    }
}

/// A writer into one container's log, usable as a command's stdout and stderr.
struct PodLogOutput: PodOutput {
    let store: PodLogStore
    let uid: String
    let container: String

    func write(_ bytes: [UInt8]) async throws { store.append(uid: uid, container: container, bytes) }
}
