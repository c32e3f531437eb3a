import JSONValue
import Kube
import Platform
import Synchronization

/// What a `Watcher` reports.
public enum WatcherEvent: Sendable {
    /// The object exists in this state (created, changed, or seen in a list).
    case upsert(JSON)
    /// The object is gone; the body is its last known state.
    case deleted(JSON)
    /// A full list finished: `keys` are every object that exists now. Objects known before
    /// and missing here were deleted while the watch was down.
    case listed(keys: Set<ObjectKey>)
    /// The watch was (re)started or failed; for logs and metrics.
    case restarted(reason: String)
}

/// The identity of an object within one watched resource type.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public init?(_ object: JSON) {
        guard let name = object["metadata"]?["name"]?.string else { return nil }
        self.init(namespace: object["metadata"]?["namespace"]?.string, name: name)
    }

    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.description < b.description }
}

/// Settings of a watch loop.
public struct WatchSettings: Sendable {
    /// Page size of the initial list.
    public var pageSize = 500
    /// Asked of the server for each watch request; the server ends the stream then and we
    /// re-watch from the last resourceVersion. Kube's bookmarks come about every minute.
    public var serverTimeoutSeconds = 300
    /// No event and no bookmark for this long: the connection is dead (behind a load
    /// balancer that dropped it silently); reconnect. Kopf#698 and the AKS reports.
    public var stallSeconds = 90
    /// Reconnect backoff after failures.
    public var initialBackoffMilliseconds = 500
    public var maxBackoffMilliseconds = 30_000
    /// Told of each object the client received but could not decode; the watch skips it
    /// and serves the others (for a Warning Event; the watch also reports it as a
    /// `.restarted` reason, which the runner logs).
    public var onUndecodable: (@Sendable (UndecodableObject) -> Void)?

    public init() {}
}

/// Lists then watches one resource type in one namespace (or all), forever: resumes from
/// the last resourceVersion after the server ends a stream, relists after 410 Gone,
/// reconnects with backoff after errors, and treats a silent stream as dead.
public struct Watcher: Sendable {
    public let api: any KubeAPI
    public let gvr: GroupVersionResource
    public let namespace: String?
    public let labelSelector: String?
    public let settings: WatchSettings

    public init(api: any KubeAPI, gvr: GroupVersionResource, namespace: String?, labelSelector: String?, settings: WatchSettings = WatchSettings()) {
        self.api = api
        self.gvr = gvr
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.settings = settings
    }

    /// The events, until the consuming task is cancelled.
    public func events() -> AsyncStream<WatcherEvent> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ out: AsyncStream<WatcherEvent>.Continuation) async {
        var resourceVersion: String? = nil
        var failures = 0
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    resourceVersion = try await listAll(out)
                    failures = 0
                }
                let outcome = try await watchOnce(from: resourceVersion!, out)
                switch outcome {
                case .ended(let rv):
                    resourceVersion = rv
                    failures = 0
                case .expired(let rv):
                    out.yield(.restarted(reason: "resourceVersion \(rv) expired (410): relisting"))
                    resourceVersion = nil
                case .stalled(let rv):
                    out.yield(.restarted(reason: "no event or bookmark for \(settings.stallSeconds)s: reconnecting"))
                    resourceVersion = rv
                }
            } catch is CancellationError {
                break
            } catch let error as KubeError where error.code == 410 {
                out.yield(.restarted(reason: "\(error.message): relisting"))
                resourceVersion = nil
            } catch {
                if Task.isCancelled { break }
                failures += 1
                let delay = min(settings.maxBackoffMilliseconds, settings.initialBackoffMilliseconds << min(failures - 1, 10))
                out.yield(.restarted(reason: "watch of \(gvr) failed (\(error)); retrying in \(delay) ms"))
                try? await Task.sleep(for: .milliseconds(delay))
            }
        }
        out.finish()
    }

    /// Lists every page; yields each object and then the set of keys; returns the list's version.
    private func listAll(_ out: AsyncStream<WatcherEvent>.Continuation) async throws -> String {
        var token: String? = nil
        var keys = Set<ObjectKey>()
        var version = ""
        repeat {
            let page = try await api.list(gvr, namespace: namespace, options: ListOptions(
                labelSelector: labelSelector, limit: settings.pageSize, continueToken: token))
            for item in page["items"]?.array ?? [] {
                guard let key = ObjectKey(item) else { continue }
                keys.insert(key)
                out.yield(.upsert(withKind(item, from: page)))
            }
            for skipped in page[UndecodableObject.listKey]?.array ?? [] {
                if let object = UndecodableObject(json: skipped) { skip(object, out) }
            }
            // The version of a paginated list is the one of its first page (a consistent snapshot).
            if token == nil { version = page["metadata"]?["resourceVersion"]?.string ?? "" }
            token = page["metadata"]?["continue"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        out.yield(.listed(keys: keys))
        return version
    }

    /// One object cannot be taken: name it and go on with the others (issue 18).
    private func skip(_ object: UndecodableObject, _ out: AsyncStream<WatcherEvent>.Continuation) {
        out.yield(.restarted(reason: "skipped \(gvr.resource) \(object), which cannot be decoded (\(object.reason)); "
            + "the other objects are served"))
        settings.onUndecodable?(object)
    }

    /// List items carry no kind; the handlers and status writes want whole objects.
    private func withKind(_ item: JSON, from list: JSON) -> JSON {
        guard item["kind"] == nil, var kind = list["kind"]?.string, kind.hasSuffix("List") else { return item }
        kind.removeLast(4)
        var o = item
        o["apiVersion"] = list["apiVersion"] ?? .string(gvr.apiVersion)
        o["kind"] = .string(kind)
        return o
    }

    private enum Outcome {
        case ended(String)
        case expired(String)
        case stalled(String)
    }

    private func watchOnce(from version: String, _ out: AsyncStream<WatcherEvent>.Continuation) async throws -> Outcome {
        let stream = try await api.watch(gvr, namespace: namespace, options: WatchOptions(
            resourceVersion: version, labelSelector: labelSelector, allowBookmarks: true,
            timeoutSeconds: settings.serverTimeoutSeconds))
        let current = Locked(version)
        // Stall detection: a side task ends the iteration when nothing arrived for too long.
        let lastSeen = LastSeen()
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                for try await event in stream {
                    lastSeen.touch()
                    if let rv = event.object["metadata"]?["resourceVersion"]?.string, !rv.isEmpty, event.type != .error {
                        current.set(rv)
                    }
                    switch event.type {
                    case .added, .modified: out.yield(.upsert(event.object))
                    case .deleted: out.yield(.deleted(event.object))
                    case .bookmark: break
                    case .error:
                        if let object = UndecodableObject(watchEvent: event) {
                            // Past it: a restart must not receive it again.
                            if let rv = object.resourceVersion, !rv.isEmpty { current.set(rv) }
                            skip(object, out)
                            continue
                        }
                        if event.object["code"]?.int == 410 { return .expired(current.value) }
                        throw KubeError(status: event.object)
                    }
                }
                return .ended(current.value)
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(5))
                    if lastSeen.secondsSince() >= settings.stallSeconds { return .stalled(current.value) }
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            return .ended(current.value)
        }
    }
}

/// When the last watch event arrived.
final class LastSeen: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    func touch() { instant.withLock { $0 = .now } }
    func secondsSince() -> Int { Int((ContinuousClock.now - instant.withLock { $0 }).components.seconds) }
}

