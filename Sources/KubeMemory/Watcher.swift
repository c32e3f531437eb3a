import JSONValue
import Kube

/// One open watch: what it selects and the stream it feeds.
///
/// Events are yielded while the cluster lock is held, so every watcher sees changes in
/// resourceVersion order. Yielding never blocks: the stream buffers up to a bound, and a
/// watcher that falls that far behind is ended with a 410 ERROR event, as kube-apiserver
/// ends a watch it cannot keep up, so that the client relists instead of stalling writers.
struct Watcher: Sendable {
    typealias Continuation = AsyncThrowingStream<WatchEvent, any Error>.Continuation

    let id: Int
    let type: ResourceType
    let namespace: String?
    let labels: LabelSelector
    let fields: FieldSelector
    let continuation: Continuation
    let bookmarks: Bool
    /// Fault injection: the stream ends (as a dropped connection) after this many more events.
    var eventsBeforeDrop: Int?
    /// The resourceVersion of the last event sent, for the 410 message on overflow.
    var lastSent: Int
    /// Timers (timeout, bookmarks) to cancel when the watch ends.
    var timers: [Task<Void, Never>] = []

    var groupResource: GroupResource { type.groupResource }

    /// What this watcher sees of a stored change, or nil. A MODIFIED object that starts
    /// matching the selectors is ADDED, one that stops matching is DELETED, as in kube.
    func view(_ e: StoredEvent) -> WatchEvent? {
        guard e.groupResource == groupResource else { return nil }
        if let namespace, e.namespace != namespace { return nil }
        let now = selects(e.object)
        var type = e.type
        if e.type == .modified, let previous = e.previous, !labels.requirements.isEmpty || !fields.requirements.isEmpty {
            let before = selects(previous)
            switch (before, now) {
            case (true, true): type = .modified
            case (false, true): type = .added
            case (true, false): type = .deleted
            case (false, false): return nil
            }
            return WatchEvent(type: type, object: shown(e.object))
        }
        return now ? WatchEvent(type: type, object: shown(e.object)) : nil
    }

    func selects(_ object: JSON) -> Bool {
        labels.matches(object: object) && fields.matches(object)
    }

    /// The object in the version this watch asked for.
    func shown(_ object: JSON) -> JSON {
        var o = object
        if o["apiVersion"]?.string != type.apiVersion { o["apiVersion"] = .string(type.apiVersion) }
        return o
    }

    enum SendResult { case open, ended }

    /// Yields one event; `.ended` means the watcher finished its stream and must be removed.
    mutating func send(_ event: WatchEvent, resourceVersion: Int, currentRV: Int) -> SendResult {
        if let left = eventsBeforeDrop, left <= 0 {
            continuation.finish()
            return .ended
        }
        switch continuation.yield(event) {
        case .terminated:
            return .ended
        case .dropped:
            // Unreachable while the last slot is kept for the ERROR event; finish anyway.
            continuation.finish()
            return .ended
        case .enqueued(let remaining):
            lastSent = max(lastSent, resourceVersion)
            if let left = eventsBeforeDrop {
                eventsBeforeDrop = left - 1
                if left - 1 <= 0 {
                    continuation.finish()
                    return .ended
                }
            }
            if remaining <= 1 {
                let status = KubeError.expired("too old resource version: \(lastSent) (\(currentRV))").status
                continuation.yield(WatchEvent(type: .error, object: status))
                continuation.finish()
                return .ended
            }
            return .open
        @unknown default:
            return .open
        }
    }

    /// Ends the stream now (timeout, dropped watch, type removed).
    func end() {
        continuation.finish()
        for t in timers { t.cancel() }
    }
}
