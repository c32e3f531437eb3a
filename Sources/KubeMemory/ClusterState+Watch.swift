import JSONValue
import Kube

extension ClusterState {
    typealias WatchStream = AsyncThrowingStream<WatchEvent, any Error>

    /// Opens a watch: replays what the client has not seen (existing objects as ADDED for
    /// resourceVersion nil/"0", later history otherwise, or a 410 ERROR when that history is
    /// gone), then keeps the stream registered for live events.
    mutating func openWatch(_ type: ResourceType, namespace: String?, options: WatchOptions, dropAfter: Int?) throws -> (id: Int?, stream: WatchStream) {
        let labels = try LabelSelector(parsing: options.labelSelector)
        let fields = try FieldSelector(parsing: options.fieldSelector, for: type)
        let namespace = type.info.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        var initial: [(WatchEvent, Int)] = []
        let fromStart = options.resourceVersion == nil || options.resourceVersion == "0" || options.resourceVersion == ""
        var start = resourceVersion
        if fromStart {
            let store = objects[type.groupResource] ?? [:]
            for key in store.keys.sorted() {
                if let namespace, key.namespace != namespace { continue }
                guard let o = store[key], labels.matches(object: o), fields.matches(o) else { continue }
                initial.append((WatchEvent(type: .added, object: shown(o, type)), Int(o.objectResourceVersion) ?? 0))
            }
        } else {
            guard let rvText = options.resourceVersion, let rv = Int(rvText), rv >= 0 else {
                throw KubeError.badRequest("resourceVersion: Invalid value: \(JSON.quote(options.resourceVersion ?? "")): must be an integer")
            }
            if rv < history.floor {
                let (stream, continuation) = WatchStream.makeStream()
                let status = KubeError.expired("too old resource version: \(rv) (\(history.floor))").status
                continuation.yield(WatchEvent(type: .error, object: status))
                continuation.finish()
                return (nil, stream)
            }
            start = rv
        }
        let (stream, continuation) = WatchStream.makeStream(bufferingPolicy: .bufferingOldest(initial.count + watchBufferSize + 2))
        let id = nextWatcherID
        nextWatcherID += 1
        var watcher = Watcher(id: id, type: type, namespace: namespace, labels: labels, fields: fields,
                              continuation: continuation, bookmarks: options.allowBookmarks,
                              eventsBeforeDrop: dropAfter, lastSent: start)
        var open = true
        for (event, rv) in initial where open {
            open = watcher.send(event, resourceVersion: rv, currentRV: resourceVersion) == .open
        }
        if !fromStart {
            for e in history.events(after: start) where open {
                guard let view = watcher.view(e) else { continue }
                open = watcher.send(view, resourceVersion: e.resourceVersion, currentRV: resourceVersion) == .open
            }
        }
        if open, fromStart, options.allowBookmarks {
            open = watcher.send(bookmarkEvent(type, initialEventsEnd: true), resourceVersion: resourceVersion, currentRV: resourceVersion) == .open
        }
        guard open else { return (nil, stream) }
        watchers[id] = watcher
        return (id, stream)
    }

    /// `{kind, apiVersion, metadata: {resourceVersion}}`: everything up to here was sent.
    func bookmarkEvent(_ type: ResourceType, initialEventsEnd: Bool = false) -> WatchEvent {
        var metadata: JSON = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return WatchEvent(type: .bookmark, object: ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": metadata])
    }

    mutating func sendBookmark(to id: Int) {
        guard var w = watchers[id] else { return }
        if w.send(bookmarkEvent(w.type), resourceVersion: resourceVersion, currentRV: resourceVersion) == .ended {
            watchers.removeValue(forKey: id)?.end()
        } else {
            watchers[id] = w
        }
    }

    mutating func endWatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.end()
    }

    mutating func endAllWatches() {
        let all = watchers
        watchers.removeAll()
        for w in all.values { w.end() }
    }
}
