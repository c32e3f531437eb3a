import JSONValue
import Kube

/// One change as the store recorded it, kept so that watches can start in the past.
struct StoredEvent: Sendable {
    var resourceVersion: Int
    var type: WatchEvent.EventType
    var groupResource: GroupResource
    var namespace: String
    /// The object after the change (for DELETED: as it was removed).
    var object: JSON
    /// The object before a MODIFIED change, to tell selector transitions apart.
    var previous: JSON?
}

/// A fixed-size ring of recent events. A watch may start at any resourceVersion not older
/// than `floor`; older ones get 410 Expired, which makes clients relist.
struct WatchHistory: Sendable {
    private var ring: [StoredEvent?]
    private var next = 0
    private(set) var count = 0
    /// The newest resourceVersion no longer covered: watching from it still sees every later event.
    private(set) var floor: Int

    init(capacity: Int, startingAt rv: Int) {
        ring = Array(repeating: nil, count: max(1, capacity))
        floor = rv
    }

    mutating func append(_ e: StoredEvent) {
        if count == ring.count, let dropped = ring[next] {
            floor = dropped.resourceVersion
        } else {
            count += 1
        }
        ring[next] = e
        next = (next + 1) % ring.count
    }

    /// Events with resourceVersion greater than `rv`, oldest first.
    func events(after rv: Int) -> [StoredEvent] {
        var out: [StoredEvent] = []
        let start = (next - count + ring.count) % ring.count
        for i in 0..<count {
            if let e = ring[(start + i) % ring.count], e.resourceVersion > rv { out.append(e) }
        }
        return out
    }
}
