import JSONValue
import Kube
import KubeMemory
import Platform

/// Turns one HTTP request into calls on the store and one response, the way
/// kube-apiserver answers them: discovery, OpenAPI, health, and the resource verbs.
///
/// Every failure is a `Status` object with its code as the HTTP status.
public struct APIRouter: Sendable {
    public let backend: any DevClusterBackend
    /// When set, a request that carries credentials must carry `Authorization: Bearer <token>`.
    /// Requests without credentials are let in: client-go (kubectl) sends no bearer token
    /// over plain http, and the server listens on loopback only.
    public let token: String?
    /// `host:port` the server is reachable at, for `/api`'s serverAddressByClientCIDRs.
    public var serverAddress: String
    /// The exec channel protocols the server upgrades to (for the wording of refusals).
    public var execProtocols: [String] = WebSocketUpgrade.supportedProtocols
    let clock: @Sendable () -> Int

    public init(backend: any DevClusterBackend, token: String? = nil, serverAddress: String = "127.0.0.1:0",
                clock: @escaping @Sendable () -> Int = WallClock.nowSeconds) {
        self.backend = backend
        self.token = token
        self.serverAddress = serverAddress
        self.clock = clock
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        do {
            return try await route(request)
        } catch let error as KubeError {
            return .error(error)
        } catch is CancellationError {
            return .error(.internalError("the request was cancelled"))
        } catch {
            return .error(.internalError("\(error)"))
        }
    }

    func route(_ r: APIRequest) async throws -> APIResponse {
        let path = r.path.count > 1 && r.path.hasSuffix("/") ? String(r.path.dropLast()) : r.path
        switch path {
        case "/healthz", "/readyz", "/livez":
            return .text("ok")
        default:
            break
        }
        if let answer = try await admitAndServeAuthAPIs(r, path: path) { return answer }
        if path == "/version" { return try await readOnly(r) { .json(Discovery.version) } }
        if path == "/api" || path == "/apis" {
            return try await readOnly(r) { try await aggregatedOrLegacy(r, core: path == "/api") }
        }
        if path.hasPrefix("/openapi/") {
            return try await readOnly(r) { try await openAPI(r, path: path) }
        }
        let segments = path.split(separator: "/").map(String.init)
        if segments.count == 2, segments[0] == "api" {
            return try await readOnly(r) { try await resourceList(group: "", version: segments[1]) }
        }
        if segments.count == 2, segments[0] == "apis" {
            return try await readOnly(r) {
                guard let doc = Discovery(resources: try await backend.resources()).apiGroupDocument(segments[1]) else { throw notFound() }
                return .json(doc)
            }
        }
        if segments.count == 3, segments[0] == "apis" {
            return try await readOnly(r) { try await resourceList(group: segments[1], version: segments[2]) }
        }
        guard let resourcePath = ResourcePath(path: path) else { throw notFound() }
        return try await resource(r, resourcePath)
    }

    // MARK: Access and shared answers

    func authorize(_ r: APIRequest) throws(KubeError) {
        guard let token, let given = r.header("authorization") else { return }
        guard given == "Bearer \(token)" else {
            throw KubeError(code: 401, reason: "Unauthorized", message: "Unauthorized")
        }
    }

    func notFound() -> KubeError {
        KubeError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    func readOnly(_ r: APIRequest, _ body: () async throws -> APIResponse) async throws -> APIResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        return try await body()
    }

    // MARK: Discovery

    func aggregatedOrLegacy(_ r: APIRequest, core: Bool) async throws -> APIResponse {
        guard let version = MediaType.discoveryRendering(accept: r.header("accept")) else {
            throw MediaType.notAcceptable(r.header("accept"))
        }
        let discovery = Discovery(resources: try await backend.resources())
        switch version {
        case "v2": return .json(discovery.aggregated(core: core, version: "v2"), contentType: MediaType.discoveryV2)
        case "v2beta1": return .json(discovery.aggregated(core: core, version: "v2beta1"), contentType: MediaType.discoveryV2beta1)
        default:
            // The Host the client used is where it reaches us (the configured address may say port 0).
            return .json(core ? discovery.apiVersions(serverAddress: r.header("host") ?? serverAddress) : discovery.apiGroupList())
        }
    }

    func resourceList(group: String, version: String) async throws -> APIResponse {
        guard let doc = Discovery(resources: try await backend.resources()).apiResourceList(group: group, version: version) else {
            throw notFound()
        }
        return .json(doc)
    }

    // MARK: OpenAPI

    func openAPI(_ r: APIRequest, path: String) async throws -> APIResponse {
        let resources = try await backend.resources()
        let documents = OpenAPIDocuments(resources: resources, schemas: try await crdSchemas(resources))
        if path == "/openapi/v2" {
            return try openAPIv2(r, documents)
        }
        if path == "/openapi/v3" {
            return .json(documents.v3Index())
        }
        let prefix = "/openapi/v3/"
        guard path.hasPrefix(prefix), let doc = documents.v3Document(String(path.dropFirst(prefix.count))) else {
            throw notFound()
        }
        return .json(doc)
    }

    func openAPIv2(_ r: APIRequest, _ documents: OpenAPIDocuments) throws -> APIResponse {
        let accept = r.header("accept") ?? ""
        if MediaType.acceptsPlainJSON(accept) { return .json(documents.v2Document()) }
        if accept.includes("protobuf") {
            return .full(status: 200, contentType: OpenAPIDocuments.v2ProtobufResponseType, body: documents.v2Protobuf())
        }
        throw MediaType.notAcceptable(accept)
    }

    func crdSchemas(_ resources: [ResourceInfo]) async throws -> [GroupVersionKind: JSON] {
        var schemas: [GroupVersionKind: JSON] = [:]
        for info in resources where !OpenAPIDocuments.isBuiltIn(info.gvr.group) {
            if let s = try await backend.openAPISchema(for: info.gvk) { schemas[info.gvk] = s }
        }
        return schemas
    }

    // MARK: Resources

    func resourceInfo(_ p: ResourcePath) async throws -> ResourceInfo {
        let gvr = GroupVersionResource(group: p.group, version: p.version, resource: p.resource)
        guard let info = try await backend.resources().first(where: { $0.gvr == gvr }) else { throw notFound() }
        if !info.namespaced, p.namespace != nil { throw notFound() }
        if let sub = p.subresource, !info.subresources.contains(sub) { throw notFound() }
        return info
    }

    func resource(_ r: APIRequest, _ p: ResourcePath) async throws -> APIResponse {
        if p.group.isEmpty, p.resource == "pods", p.subresource == "exec", let ns = p.namespace, let name = p.name {
            return try await exec(r, namespace: ns, pod: name)
        }
        if p.group.isEmpty, p.resource == "pods", p.subresource == "log", let ns = p.namespace, let name = p.name {
            return try await podLog(r, namespace: ns, pod: name)
        }
        if p.group.isEmpty, p.resource == "pods", let sub = p.subresource, WebSocketUpgrade.streamingSubresources.contains(sub) {
            throw KubeError.badRequest("pods/\(sub) is not served by the yopf dev-cluster yet: it needs a WebSocket session (\(WebSocketUpgrade.supportedProtocols.joined(separator: ", ")))")
        }
        let info = try await resourceInfo(p)
        let gvr = info.gvr
        // Namespaced objects are addressed inside their namespace; only lists span them all.
        if info.namespaced, p.namespace == nil, p.name != nil { throw notFound() }
        let tables = TableRenderer(backend: backend, info: info, now: clock(), request: r)

        guard let name = p.name else {
            switch r.method {
            case "GET", "HEAD":
                guard let rendering = MediaType.objectRendering(accept: r.header("accept")) else {
                    throw MediaType.notAcceptable(r.header("accept"))
                }
                if r.flag("watch") {
                    let events = try await backend.watch(gvr, namespace: p.namespace, options: try RequestOptions.watch(r))
                    return WatchEncoder.response(events, rendering: rendering, tables: tables)
                }
                let list = try await backend.list(gvr, namespace: p.namespace, options: try RequestOptions.list(r))
                if case .table = rendering { return .json(try await tables.table(list: list), contentType: MediaType.tableV1) }
                return .json(list)
            case "POST":
                guard !info.namespaced || p.namespace != nil else { throw notFound() }
                var body = try BodyDecoder.object(r)
                try reconcileNamespace(&body, path: p, info: info)
                let created = try await backend.create(gvr, namespace: p.namespace, body: body, options: try RequestOptions.write(r))
                return .json(created, status: 201)
            case "DELETE":
                return try await deleteCollection(r, info: info, namespace: p.namespace)
            default:
                throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
        }

        let ref = ObjectRef(gvr, namespace: info.namespaced ? p.namespace : nil, name: name)
        switch r.method {
        case "GET", "HEAD":
            guard let rendering = MediaType.objectRendering(accept: r.header("accept")) else {
                throw MediaType.notAcceptable(r.header("accept"))
            }
            let object = try await backend.get(ref, subresource: p.subresource)
            if case .table = rendering, p.subresource == nil {
                return .json(try await tables.table(single: object), contentType: MediaType.tableV1)
            }
            return .json(object)
        case "PUT":
            var body = try BodyDecoder.object(r)
            try reconcileNamespace(&body, path: p, info: info)
            if let bodyName = body["metadata"]?["name"]?.string, bodyName != name {
                throw KubeError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
            }
            let updated = try await backend.update(ref, subresource: p.subresource, body: body, options: try RequestOptions.write(r))
            return .json(updated)
        case "PATCH":
            let (type, body) = try BodyDecoder.patch(r)
            let existed = type == .apply ? await exists(ref) : true
            let patched = try await backend.patch(ref, subresource: p.subresource, type: type, body: body, options: try RequestOptions.write(r))
            return .json(patched, status: existed ? 200 : 201)
        case "DELETE":
            guard p.subresource == nil else { throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource") }
            let result = try await backend.delete(ref, options: try RequestOptions.delete(r))
            // 202 while finalizers hold the object, as kube-apiserver answers.
            let pending = result["metadata"]?["deletionTimestamp"] != nil
            return .json(result, status: pending ? 202 : 200)
        default:
            throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    // MARK: Pods

    /// An exec request that reached the router was not upgraded: say why, as
    /// kube-apiserver does — the pod's problem first (404, 400), else the protocol's.
    func exec(_ r: APIRequest, namespace: String, pod: String) async throws -> APIResponse {
        guard r.method == "GET" || r.method == "POST" else {
            throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        let options = ExecOptions(
            namespace: namespace, pod: pod, container: RequestOptions.nonEmpty(r.query["container"]),
            command: r.query["command"].map { [$0] } ?? [],
            stdin: r.flag("stdin"), stdout: r.flag("stdout"), stderr: r.flag("stderr"), tty: r.flag("tty"))
        try await ExecPreflight.check(options, backend: backend)
        throw WebSocketUpgrade.refusal(r, supported: execProtocols)
    }

    /// `GET …/pods/NAME/log` as text. With `follow=true` the response stays open and
    /// streams what the container writes until it terminates or the pod is deleted (the
    /// in-memory cluster's pods only; other backends answer what is logged so far).
    /// `timestamps`, `previous` and `sinceSeconds` are ignored.
    func podLog(_ r: APIRequest, namespace: String, pod: String) async throws -> APIResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        guard let pods = backend as? any PodAccess else {
            throw KubeError.badRequest("pods/log is not served: this dev-cluster's backend keeps no pod logs")
        }
        let tail = try RequestOptions.int(r, "tailLines")
        let limit = try RequestOptions.int(r, "limitBytes")
        if let limit, limit < 1 { throw KubeError.badRequest("limitBytes must be greater than 0, got \(limit)") }
        if let tail, tail < 0 { throw KubeError.badRequest("tailLines must be 0 or greater, got \(tail)") }
        if r.flag("follow"), let cluster = backend as? MemoryCluster {
            let next = try cluster.followPodLogs(namespace: namespace, name: pod,
                                                 container: RequestOptions.nonEmpty(r.query["container"]), tailLines: tail)
            let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
                let relay = Task {
                    var left = limit ?? Int.max
                    for await bytes in next {
                        let piece = Array(bytes.prefix(left))
                        left -= piece.count
                        if !piece.isEmpty { continuation.yield(piece) }
                        if left <= 0 { break }
                    }
                    continuation.finish()
                }
                continuation.onTermination = { _ in relay.cancel() }
            }
            return .stream(status: 200, contentType: "text/plain; charset=utf-8", chunks: chunks)
        }
        let text = try await pods.logs(PodLogRequest(
            namespace: namespace, pod: pod, container: RequestOptions.nonEmpty(r.query["container"]),
            tailLines: tail, limitBytes: limit))
        return .text(text)
    }

    func exists(_ ref: ObjectRef) async -> Bool {
        (try? await backend.get(ref, subresource: nil)) != nil
    }

    /// A body without a namespace takes the path's; a different one is refused.
    func reconcileNamespace(_ body: inout JSON, path p: ResourcePath, info: ResourceInfo) throws(KubeError) {
        guard info.namespaced, let ns = p.namespace else { return }
        if let own = body["metadata"]?["namespace"]?.string, !own.isEmpty {
            guard own == ns else {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
        } else if case .object = body["metadata"] ?? .null {
            body.set(.string(ns), at: ["metadata", "namespace"])
        }
    }

    /// DELETE on a collection: every object the selectors match, deleted one by one.
    func deleteCollection(_ r: APIRequest, info: ResourceInfo, namespace: String?) async throws -> APIResponse {
        guard info.verbs.contains("deletecollection") else {
            throw KubeError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        let options = try RequestOptions.delete(r)
        let list = try await backend.list(info.gvr, namespace: namespace, options: try RequestOptions.list(r))
        var deleted: [JSON] = []
        for item in list["items"]?.array ?? [] {
            guard let name = item["metadata"]?["name"]?.string else { continue }
            let ref = ObjectRef(info.gvr, namespace: info.namespaced ? item["metadata"]?["namespace"]?.string : nil, name: name)
            do {
                deleted.append(try await backend.delete(ref, options: options))
            } catch let e as KubeError where e.code == 404 {
                continue  // gone meanwhile
            }
        }
        var result = list
        result["items"] = .array(deleted)
        return .json(result)
    }
}
