import Platform
import Kube
import NIOCore
import NIOHTTP1

/// Which requests become WebSockets and with which subprotocol.
///
/// kubectl 1.30+ opens `pods/{name}/exec` as a WebSocket offering `v5.channel.k8s.io` (only
/// that one in 1.32) and requires the 101 answer to echo the protocol, else it falls back to
/// SPDY, which is not served. An exec request is upgraded when it offers a protocol the
/// server speaks and the pod passes `ExecPreflight`; otherwise the upgrade is refused and
/// the router answers over plain HTTP with the `Status` that says why.
/// `attach` and `portforward` are never upgraded.
enum WebSocketUpgrade {
    /// Pod subresources that are streams (WebSocket, or SPDY in older clients).
    static let streamingSubresources: Set<String> = ["exec", "attach", "portforward"]

    /// Channel protocols in our order of preference.
    static let supportedProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    /// The first protocol of `supported` (our preference) among those the client offered.
    static func selectProtocol(offered: String?, supported: [String] = supportedProtocols) -> String? {
        let offers = (offered ?? "").split(separator: ",").map { $0.trimmingBlanks() }
        return supported.first { offers.contains($0) }
    }

    /// The exec request and protocol of an upgrade request, or nil for anything else.
    static func execSession(_ head: HTTPRequestHead, supported: [String]) -> (ExecOptions, String)? {
        guard head.method == .GET || head.method == .POST, let options = ExecOptions(uri: head.uri) else { return nil }
        let offered = head.headers["Sec-WebSocket-Protocol"].joined(separator: ",")
        guard let chosen = selectProtocol(offered: offered, supported: supported) else { return nil }
        return (options, chosen)
    }

    /// Headers for the 101 answer, or nil to refuse the upgrade (the router then answers).
    static func responseHeaders(for head: HTTPRequestHead, on channel: any Channel, backend: any DevClusterBackend,
                                token: String?, supported: [String]) -> EventLoopFuture<HTTPHeaders?> {
        guard let (options, chosen) = execSession(head, supported: supported) else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        // Authentication and authorization as for any request: when refused here, the
        // router answers the same request with the 401 or 403.
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers)
        guard (try? RequestGate(backend: backend, token: token).admit(request)) != nil else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        promise.completeWithTask {
            do {
                try await ExecPreflight.check(options, backend: backend)
            } catch {
                return nil
            }
            return HTTPHeaders([("Sec-WebSocket-Protocol", chosen)])
        }
        return promise.futureResult
    }

    /// Why an exec request was not upgraded, once the pod passed the checks.
    static func refusal(_ r: APIRequest, supported: [String]) -> KubeError {
        let upgrade = (r.header("upgrade") ?? "").lowercased()
        if upgrade.includes("websocket") {
            let offered = r.header("sec-websocket-protocol") ?? ""
            return .badRequest("unable to upgrade connection: requested protocol(s) are not supported: [\(offered)]; supports [\(supported.joined(separator: ", "))]")
        }
        if upgrade.includes("spdy") {
            return .badRequest("unable to upgrade connection: SPDY is not served by the yopf dev-cluster; exec over WebSocket (\(supported.joined(separator: ", "))), as kubectl 1.30 and later do")
        }
        return .badRequest("Upgrade request required")
    }
}
