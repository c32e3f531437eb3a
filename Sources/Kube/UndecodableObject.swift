import JSONValue

/// An object in a list or watch answer that the HTTP client received but could not
/// decode (nested deeper than `JSON.maximumDepth`, invalid UTF-8): what could be read of
/// it, so that the watch names it, skips it and serves the other objects instead of
/// failing the whole list or watch for ever (issue 18).
///
/// It travels inside the answers the `KubeAPI` protocol already has: a list answer holds
/// them as JSON under `listKey` beside `items` (the item itself is left out), and a watch
/// yields an ERROR event whose Status has `reason == watchReason` and the object's name,
/// namespace and resourceVersion in `details`. `Watcher` reads both.
public struct UndecodableObject: Sendable, Equatable, CustomStringConvertible {
    public var namespace: String?
    public var name: String?
    /// Where the watch resumes after skipping it (watch events only).
    public var resourceVersion: String?
    public var reason: String

    public static let listKey = "yopfUndecodableItems"
    public static let watchReason = "YopfUndecodable"

    public init(namespace: String?, name: String?, resourceVersion: String?, reason: String) {
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.reason = reason
    }

    /// From what could be read of the object (its `metadata`, if anything).
    public init(top: JSON?, reason: String) {
        let metadata = top?["metadata"]
        self.init(namespace: metadata?["namespace"]?.string, name: metadata?["name"]?.string,
                  resourceVersion: metadata?["resourceVersion"]?.string, reason: reason)
    }

    /// `namespace/name` (or what is known of it).
    public var description: String {
        let name = self.name ?? "(unnamed)"
        return namespace.map { "\($0)/\(name)" } ?? name
    }

    public var json: JSON {
        var o: JSON = ["reason": .string(reason)]
        if let name { o["name"] = .string(name) }
        if let namespace { o["namespace"] = .string(namespace) }
        if let resourceVersion { o["resourceVersion"] = .string(resourceVersion) }
        return o
    }

    public init?(json: JSON) {
        guard let reason = json["reason"]?.string else { return nil }
        self.init(namespace: json["namespace"]?.string, name: json["name"]?.string,
                  resourceVersion: json["resourceVersion"]?.string, reason: reason)
    }

    /// The ERROR event a watch yields for it.
    public var watchEvent: WatchEvent {
        WatchEvent(type: .error, object: [
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": .string(Self.watchReason),
            "message": .string("cannot decode \(self): \(reason)"), "details": json,
        ])
    }

    /// The object an ERROR watch event stands for, when it is one of these.
    public init?(watchEvent event: WatchEvent) {
        guard event.type == .error, event.object["reason"]?.string == Self.watchReason,
            let details = event.object["details"]
        else { return nil }
        self.init(json: details)
    }
}
