import JSONValue
import Kube

/// List-then-watch of one resource type through the `KubeAPI`, as an informer does: every
/// existing object arrives as ADDED, then changes; an ended stream resumes from the last
/// resourceVersion seen, and a 410 Expired starts over with a fresh list.
struct WatchFeed: Sendable {
    let api: any KubeAPI
    let gvr: GroupVersionResource

    /// Runs until the calling task is cancelled.
    func run(_ onEvent: @Sendable (WatchEvent.EventType, JSON) async -> Void) async {
        var resourceVersion: String?
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    let list = try await api.list(gvr, namespace: nil, options: ListOptions())
                    for item in list["items"]?.array ?? [] { await onEvent(.added, item) }
                    resourceVersion = list["metadata"]?["resourceVersion"]?.string ?? "0"
                }
                let stream = try await api.watch(gvr, namespace: nil, options: WatchOptions(resourceVersion: resourceVersion))
                for try await event in stream {
                    if event.type == .error {
                        resourceVersion = nil
                        break
                    }
                    if let rv = event.object["metadata"]?["resourceVersion"]?.string { resourceVersion = rv }
                    if event.type != .bookmark { await onEvent(event.type, event.object) }
                }
            } catch {
                resourceVersion = nil
                // An API error (a fault a test injected, a type not served yet): try again soon.
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
