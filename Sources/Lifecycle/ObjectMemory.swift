import JSONValue
import Platform
import Reactor
import Synchronization

/// What one process remembers about each object between passes — nothing that another
/// process would need (that lives in the object's `status.yopf`):
///
/// - the resourceVersion of our last write, so that a watch event older than it is
///   recognised as stale and the object is read fresh instead (our own status write
///   arrives as an event after the pass that made it). It outlives the object for a
///   while, so that an event still pending when the object went cannot bring back a
///   state before our last write (the double delete-step bug).
/// - whether resume handlers ran for it in this process, and whether its timers were
///   started.
///
/// Called by `ObjectProcessor` only.
final class ObjectMemory: Sendable {
    private struct Entry {
        var writtenVersion: Int?
        /// The uid of the object whose finalizer we removed after its delete handlers:
        /// any later body of that object is from before (the object is gone or going).
        var finalizedUID: String?
        var resumed = false
        var timersStarted = false
        /// When the object was seen deleted: the entry is kept as a tombstone until then
        /// plus `tombstoneLifetime`.
        var goneAt: ContinuousClock.Instant?
    }

    static let tombstoneLifetime: Duration = .seconds(600)
    private let entries = Mutex<[ObjectKey: Entry]>([:])
    private let forgets = Mutex(0)
    private let clock: any RuntimeClock

    init(clock: any RuntimeClock) { self.clock = clock }

    /// Whether a body is older than our last write (by resourceVersion), or a body of an
    /// object we already let go (its finalizer removed).
    func isStale(_ key: ObjectKey, body: JSON) -> Bool {
        let uid = body["metadata"]?["uid"]?.string
        let rv = Self.version(of: body)
        return entries.withLock { e in
            guard let entry = e[key] else { return false }
            if let uid, uid == entry.finalizedUID { return true }
            guard let rv, let written = entry.writtenVersion else { return false }
            return rv < written
        }
    }

    /// Whether a body is exactly what our last write left (its own watch echo).
    func isOwnWrite(_ key: ObjectKey, body: JSON) -> Bool {
        guard let rv = Self.version(of: body) else { return false }
        return entries.withLock { $0[key]?.writtenVersion == rv }
    }

    private static func version(of body: JSON) -> Int? {
        body["metadata"]?["resourceVersion"]?.string.flatMap { Int($0) }
    }

    /// Our delete handlers are done and the finalizer is off: the object goes.
    func rememberFinalized(_ key: ObjectKey, uid: String?) {
        guard let uid, !uid.isEmpty else { return }
        entries.withLock { e in
            var entry = e[key] ?? Entry()
            entry.finalizedUID = uid
            e[key] = entry
        }
    }

    func rememberWrite(_ key: ObjectKey, resourceVersion: String?) {
        guard let rv = resourceVersion.flatMap({ Int($0) }) else { return }
        entries.withLock { e in
            var entry = e[key] ?? Entry()
            entry.writtenVersion = max(entry.writtenVersion ?? rv, rv)
            e[key] = entry
        }
    }

    /// True the first time it is asked for an object in this process.
    func firstSight(_ key: ObjectKey) -> Bool {
        entries.withLock { e in
            var entry = e[key] ?? Entry()
            if entry.goneAt != nil { entry = Entry(writtenVersion: entry.writtenVersion, finalizedUID: entry.finalizedUID) }
            defer { entry.resumed = true; e[key] = entry }
            return !entry.resumed
        }
    }

    /// True the first time it is asked for an object (per life of the object here).
    func startTimers(_ key: ObjectKey) -> Bool {
        entries.withLock { e in
            var entry = e[key] ?? Entry()
            if entry.goneAt != nil { entry = Entry(writtenVersion: entry.writtenVersion, finalizedUID: entry.finalizedUID) }
            defer { entry.timersStarted = true; e[key] = entry }
            return !entry.timersStarted
        }
    }

    /// The object is gone: keep only its last written version, for a while.
    func forget(_ key: ObjectKey) {
        let now = clock.now
        entries.withLock { e in
            guard var entry = e[key] else { return }
            entry.resumed = false
            entry.timersStarted = false
            entry.goneAt = now
            e[key] = entry
        }
        // Purge expired tombstones every 256 deletions.
        let purge = forgets.withLock { n -> Bool in n += 1; return n % 256 == 0 }
        if purge {
            entries.withLock { e in e = e.filter { $0.value.goneAt.map { now - $0 < Self.tombstoneLifetime } ?? true } }
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
