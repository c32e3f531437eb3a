import NIOHTTP1

/// Which requests may become WebSockets and with which subprotocol.
///
/// kubectl 1.30+ opens `pods/{name}/exec` as a WebSocket offering `v5.channel.k8s.io`
/// and older channel protocols in `Sec-WebSocket-Protocol`; the server answers the one it
/// picked. Exec is not served yet, so every upgrade is refused and the request is
/// answered as plain HTTP (a `Status`).
enum WebSocketUpgrade {
    /// Pod subresources that are streams (WebSocket, or SPDY in older clients).
    static let streamingSubresources: Set<String> = ["exec", "attach", "portforward"]

    /// Channel protocols in our order of preference.
    static let supportedProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    /// The first protocol we support among those the client offered.
    static func selectProtocol(offered: String?) -> String? {
        let offers = (offered ?? "").split(separator: ",").map { $0.trimmingSpaces() }
        return supportedProtocols.first { offers.contains($0) }
    }

    /// Headers for the 101 answer, or nil to refuse the upgrade.
    static func responseHeaders(for head: HTTPRequestHead) -> HTTPHeaders? {
        // Exec sessions arrive in a later change: until then refuse, answering over HTTP.
        nil
    }
}
