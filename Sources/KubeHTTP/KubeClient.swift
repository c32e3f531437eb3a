import JSONValue
import Kube
import Synchronization

/// Where a cluster is and how to reach it: server URL and TLS.
public struct ClusterEndpoint: Sendable, Equatable {
    public var server: String
    public var tls: TLSSettings

    public init(server: String, tls: TLSSettings = TLSSettings()) {
        var s = server
        while s.hasSuffix("/") { s.removeLast() }
        self.server = s
        self.tls = tls
    }
}

/// Options of the client: limits and retries.
public struct ClientOptions: Sendable {
    /// Client-side rate limit: by default none once the server shows API Priority and
    /// Fairness, a conservative one otherwise.
    public var rateLimit: RateLimitPolicy = .automatic(fallback: RateLimitPolicy.conservative)
    /// Attempts for a request answered 429 or 5xx (or not answered): the first + retries.
    public var maxAttempts: Int = 6
    public var requestTimeoutMilliseconds: Int = 60_000
    public var userAgent: String = "yopf"
    /// Called after every answered request (method, HTTP status, seconds), for metrics.
    public var onResponse: (@Sendable (String, Int, Double) -> Void)?

    public init() {}
}

/// The Kubernetes API over HTTP (libcurl). Errors the server answers with are decoded
/// from their `Status` bodies into `KubeError`; transport failures are `HTTPTransportError`.
public final class KubeClient: KubeAPI {
    public let endpoint: ClusterEndpoint
    public let credentials: any CredentialSource
    public let options: ClientOptions
    let transport = HTTPTransport()
    let limiter: RateLimiter
    /// Whether the server's flow control was seen yet (automatic policy only): set by
    /// the first answer, shared with the clients made from this one.
    let flowControl: FlowControlDetector
    /// Tenant ServiceAccount tokens, shared by the clients made from this one.
    let serviceAccountTokens: ServiceAccountTokens

    public init(endpoint: ClusterEndpoint, credentials: any CredentialSource = NoCredentials(), options: ClientOptions = ClientOptions()) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.options = options
        switch options.rateLimit {
        case .automatic(let fallback):
            limiter = RateLimiter(qps: fallback.qps, burst: fallback.burst)
            flowControl = FlowControlDetector(limiter: limiter, decided: false)
        case .fixed(let qps, let burst):
            limiter = RateLimiter(qps: qps, burst: burst)
            flowControl = FlowControlDetector(limiter: limiter, decided: true)
        }
        self.serviceAccountTokens = ServiceAccountTokens()
    }

    private init(sharing other: KubeClient, credentials: any CredentialSource) {
        endpoint = other.endpoint
        self.credentials = credentials
        options = other.options
        limiter = other.limiter
        flowControl = other.flowControl
        serviceAccountTokens = other.serviceAccountTokens
    }

    /// The same cluster with other credentials (one tenant's ServiceAccount token); the
    /// rate limit is shared with this client.
    public func with(credentials: any CredentialSource) -> KubeClient {
        KubeClient(sharing: self, credentials: credentials)
    }

    // MARK: - Paths

    static func collectionPath(_ gvr: GroupVersionResource, namespace: String?) -> String {
        let base = gvr.group.isEmpty ? "/api/\(gvr.version)" : "/apis/\(gvr.group)/\(gvr.version)"
        if let namespace { return "\(base)/namespaces/\(percentEncode(namespace))/\(gvr.resource)" }
        return "\(base)/\(gvr.resource)"
    }

    static func objectPath(_ ref: ObjectRef, subresource: String?) -> String {
        var path = collectionPath(ref.gvr, namespace: ref.namespace) + "/" + percentEncode(ref.name)
        if let subresource { path += "/" + subresource }
        return path
    }

    static func query(_ items: [(String, String?)]) -> String {
        let present = items.compactMap { k, v in v.map { "\(k)=\(percentEncode($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    // MARK: - Requests

    /// Sends one API request with rate limiting, auth and retries; decodes the JSON answer.
    func call(_ method: String, _ pathAndQuery: String, body: JSON? = nil, contentType: String = "application/json") async throws -> JSON {
        let bytes = body?.serializedBytes()
        let response = try await send(method, pathAndQuery, body: bytes, contentType: contentType)
        if response.body.isEmpty { return .null }
        do {
            return try JSON.parse(response.body)
        } catch {
            throw KubeError.internalError("the server answered \(method) \(pathAndQuery) with a body that is not JSON: \(error)")
        }
    }

    func send(_ method: String, _ pathAndQuery: String, body: [UInt8]?, contentType: String) async throws -> HTTPResponse {
        var attempt = 0
        var unauthorizedRetried = false
        while true {
            attempt += 1
            try await limiter.acquire()
            var request = try await makeRequest(method, pathAndQuery, body: body, contentType: contentType)
            request.timeoutMilliseconds = options.requestTimeoutMilliseconds
            let response: HTTPResponse
            let started = ContinuousClock.now
            do {
                response = try await transport.send(request)
                if let onResponse = options.onResponse {
                    let d = ContinuousClock.now - started
                    onResponse(method, response.status, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                }
                flowControl.observe(response)
            } catch let error as HTTPTransportError {
                // Not answered: safe to retry reads; writes only when nothing was sent is
                // unknowable, so they are retried too and rely on resourceVersions/idempotence.
                if error == .cancelled || attempt >= options.maxAttempts { throw error }
                try await Task.sleep(for: Self.backoff(attempt))
                continue
            }
            if (200..<300).contains(response.status) { return response }
            if response.status == 401, !unauthorizedRetried {
                unauthorizedRetried = true
                await credentials.invalidate()
                continue
            }
            let retriable = response.status == 429 || (response.status >= 500 && method != "POST") || response.status == 503
            if retriable, attempt < options.maxAttempts {
                let delay = Self.retryAfter(response) ?? Self.backoff(attempt)
                try await Task.sleep(for: delay)
                continue
            }
            throw Self.decodeError(response, method: method, path: pathAndQuery)
        }
    }

    func makeRequest(_ method: String, _ pathAndQuery: String, body: [UInt8]?, contentType: String, accept: String = "application/json") async throws -> HTTPRequest {
        var headers: [(String, String)] = [("Accept", accept), ("User-Agent", options.userAgent)]
        if body != nil { headers.append(("Content-Type", contentType)) }
        if let auth = try await credentials.authorization() { headers.append(("Authorization", auth)) }
        return HTTPRequest(method: method, url: endpoint.server + pathAndQuery, headers: headers, body: body, tls: endpoint.tls)
    }

    static func backoff(_ attempt: Int) -> Duration {
        // 200 ms doubling to at most 5 s.
        .milliseconds(min(5_000, 200 << min(attempt - 1, 5)))
    }

    static func retryAfter(_ response: HTTPResponse) -> Duration? {
        guard let value = response.header("retry-after"), let seconds = Int(value.trimmingBlanks()) else { return nil }
        return .seconds(max(0, min(seconds, 60)))
    }

    static func decodeError(_ response: HTTPResponse, method: String, path: String) -> KubeError {
        if let status = try? JSON.parse(response.body), status["kind"]?.string == "Status" {
            var s = status
            if s["code"] == nil { s["code"] = .int(response.status) }
            return KubeError(status: s)
        }
        let text = String(decoding: response.body.prefix(500), as: UTF8.self)
        let reason: String
        switch response.status {
        case 400: reason = "BadRequest"
        case 401: reason = "Unauthorized"
        case 403: reason = "Forbidden"
        case 404: reason = "NotFound"
        case 405: reason = "MethodNotAllowed"
        case 409: reason = "Conflict"
        case 410: reason = "Expired"
        case 415: reason = "UnsupportedMediaType"
        case 422: reason = "Invalid"
        case 429: reason = "TooManyRequests"
        case 500: reason = "InternalError"
        case 503: reason = "ServiceUnavailable"
        case 504: reason = "Timeout"
        default: reason = "Unknown"
        }
        return KubeError(code: response.status, reason: reason, message: "\(method) \(path): \(response.status) \(text)")
    }

    // MARK: - KubeAPI

    /// Discovery as the server answers it now. Not cached here: the one cache of the
    /// project is `DiscoveryCache` (Kube), shared by everything that resolves kinds.
    public func resources() async throws -> [ResourceInfo] {
        var groupVersions: [(group: String, version: String)] = []
        let core = try await call("GET", "/api")
        for v in core["versions"]?.array ?? [] { if let v = v.string { groupVersions.append(("", v)) } }
        let groups = try await call("GET", "/apis")
        for g in groups["groups"]?.array ?? [] {
            guard let name = g["name"]?.string else { continue }
            for v in g["versions"]?.array ?? [] {
                if let version = v["version"]?.string { groupVersions.append((name, version)) }
            }
        }
        var result: [ResourceInfo] = []
        for (group, version) in groupVersions {
            let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            guard let list = try? await call("GET", path) else { continue }
            let entries = list["resources"]?.array ?? []
            var subresources: [String: [String]] = [:]
            for e in entries {
                guard let name = e["name"]?.string, let slash = name.firstIndex(of: "/") else { continue }
                subresources[String(name[..<slash]), default: []].append(String(name[name.index(after: slash)...]))
            }
            for e in entries {
                guard let name = e["name"]?.string, !name.contains("/"), let kind = e["kind"]?.string else { continue }
                result.append(ResourceInfo(
                    gvr: GroupVersionResource(group: group, version: version, resource: name), kind: kind,
                    singular: e["singularName"]?.string.flatMap { $0.isEmpty ? nil : $0 },
                    namespaced: e["namespaced"]?.bool ?? false,
                    verbs: (e["verbs"]?.array ?? []).compactMap(\.string),
                    shortNames: (e["shortNames"]?.array ?? []).compactMap(\.string),
                    categories: (e["categories"]?.array ?? []).compactMap(\.string),
                    subresources: subresources[name] ?? []))
            }
        }
        return result
    }

    public func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try await call("GET", Self.objectPath(ref, subresource: subresource))
    }

    public func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        let q = Self.query([
            ("labelSelector", options.labelSelector), ("fieldSelector", options.fieldSelector),
            ("limit", options.limit.map(String.init)), ("continue", options.continueToken),
            ("resourceVersion", options.resourceVersion),
        ])
        let path = Self.collectionPath(gvr, namespace: namespace) + q
        let response = try await send("GET", path, body: nil, contentType: "application/json")
        return try Self.decodeList(response.body, path: path)
    }

    /// A list answer, item by item when the whole cannot be decoded: items that fail are
    /// left out and named under `UndecodableObject.listKey`, so that one object nobody can
    /// decode does not hide the others (issue 18).
    static func decodeList(_ body: [UInt8], path: String) throws -> JSON {
        if body.isEmpty { return .null }
        do {
            return try JSON.parse(body)
        } catch let whole {
            guard let (page, failures) = try? JSON.parse(body, itemsOf: "items") else {
                throw KubeError.internalError("the server answered GET \(path) with a body that is not JSON: \(whole)")
            }
            var result = page
            result[UndecodableObject.listKey] = .array(failures.map {
                UndecodableObject(top: $0.top, reason: "item \($0.index) cannot be decoded: \($0.error.message)").json
            })
            return result
        }
    }

    static func writeQuery(_ options: WriteOptions, force: Bool = false) -> String {
        query([
            ("fieldManager", options.fieldManager), ("force", force && options.force ? "true" : nil),
            ("dryRun", options.dryRun ? "All" : nil),
        ])
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await call("POST", Self.collectionPath(gvr, namespace: namespace) + Self.writeQuery(options), body: body)
    }

    public func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try await call("PUT", Self.objectPath(ref, subresource: subresource) + Self.writeQuery(options), body: body)
    }

    public func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        var o = options
        if type == .apply, o.fieldManager == nil { o.fieldManager = "yopf" }
        return try await call("PATCH", Self.objectPath(ref, subresource: subresource) + Self.writeQuery(o, force: type == .apply),
                              body: body, contentType: type.rawValue)
    }

    public func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        var body: JSON = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let p = options.propagationPolicy { body["propagationPolicy"] = .string(p.rawValue) }
        if let g = options.gracePeriodSeconds { body["gracePeriodSeconds"] = .int(g) }
        if options.preconditionUID != nil || options.preconditionResourceVersion != nil {
            var pre: JSON = [:]
            if let uid = options.preconditionUID { pre["uid"] = .string(uid) }
            if let rv = options.preconditionResourceVersion { pre["resourceVersion"] = .string(rv) }
            body["preconditions"] = pre
        }
        if options.dryRun { body["dryRun"] = ["All"] }
        return try await call("DELETE", Self.objectPath(ref, subresource: nil), body: body)
    }

    public func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        let q = Self.query([
            ("watch", "1"), ("resourceVersion", options.resourceVersion),
            ("labelSelector", options.labelSelector), ("fieldSelector", options.fieldSelector),
            ("allowWatchBookmarks", options.allowBookmarks ? "true" : nil),
            ("timeoutSeconds", options.timeoutSeconds.map(String.init)),
        ])
        let path = Self.collectionPath(gvr, namespace: namespace) + q
        try await limiter.acquire()
        var request = try await makeRequest("GET", path, body: nil, contentType: "application/json")
        // The server ends the stream at timeoutSeconds; a silent connection is a dead one.
        request.stallSeconds = (options.timeoutSeconds ?? 300) + 30
        let stream = try await transport.stream(request)
        if !(200..<300).contains(stream.status) {
            var body: [UInt8] = []
            for try await piece in stream.body { body.append(contentsOf: piece) }
            throw Self.decodeError(HTTPResponse(status: stream.status, headers: stream.headers, body: body), method: "GET", path: path)
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                var lines = LineSplitter()
                do {
                    for try await piece in stream.body {
                        for line in lines.push(piece) {
                            let event = try Self.decodeEvent(line)
                            continuation.yield(event)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                stream.close()
            }
        }
    }

    /// One watch event. An event whose object cannot be decoded becomes the ERROR event of
    /// an `UndecodableObject` (its metadata read from the top of the text), or a DELETED
    /// event with that metadata: the watch skips it and goes on (issue 18: the same event
    /// failed the watch again after every restart).
    static func decodeEvent(_ line: [UInt8]) throws -> WatchEvent {
        let json: JSON
        do {
            json = try JSON.parse(line)
        } catch let error as JSONParseError {
            guard let top = try? JSON.parse(line, truncatingBeyond: 3), let typeName = top["type"]?.string,
                let type = WatchEvent.EventType(rawValue: typeName), type != .error, type != .bookmark,
                let object = top["object"], object["metadata"]?["name"] != nil
            else { throw KubeError.internalError("malformed watch event (\(error)): \(String(decoding: line.prefix(200), as: UTF8.self))") }
            if type == .deleted {
                var stub: JSON = ["metadata": object["metadata"] ?? [:]]
                stub["apiVersion"] = object["apiVersion"]
                stub["kind"] = object["kind"]
                return WatchEvent(type: .deleted, object: stub)
            }
            return UndecodableObject(top: object, reason: "\(typeName) event cannot be decoded: \(error.message)").watchEvent
        }
        guard let typeName = json["type"]?.string, let type = WatchEvent.EventType(rawValue: typeName),
            let object = json["object"]
        else {
            throw KubeError.internalError("malformed watch event: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        return WatchEvent(type: type, object: object)
    }
}

/// Splits a byte stream into newline-terminated lines (watch events are one JSON per line).
struct LineSplitter {
    private var buffer: [UInt8] = []

    mutating func push(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            var line = buffer
            line.append(contentsOf: bytes[start..<i])
            buffer.removeAll(keepingCapacity: true)
            start = i + 1
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { lines.append(line) }
        }
        buffer.append(contentsOf: bytes[start...])
        return lines
    }
}

