import JSONValue
import Kube
import KubeMemory
import Synchronization

/// The operator's own door to the in-process cluster under `yopf test`: every call it
/// makes is recorded (what `writes:` expectations count), and a scenario's `failCalls`
/// makes the next N matching calls fail with 409, 429, 500 or 403 — the operator's calls
/// only, never the scenario's own actions or the simulated kubelet's.
///
/// Exec and logs go through to the cluster's pods (the scenario's `PodCommandScript`).
/// Not here: latency and dropped watches (a fed run has no watches).
public final class OperatorAPI: KubeAPI, PodAccess, ServiceAccountScoping, Sendable {
    /// One call the operator made.
    public struct Call: Sendable, Equatable {
        public var verb: String
        public var resource: String
        public var subresource: String?
        public var namespace: String?
        public var name: String?
        /// The status code of the injected failure, nil when the call went through.
        public var failedWith: Int?

        public var isWrite: Bool { ["create", "update", "patch", "delete"].contains(verb) }

        /// `patch deployments default/db1`, `patch mysqls/status default/db1`.
        public var description: String {
            let what = subresource.map { "\(resource)/\($0)" } ?? resource
            let target = [namespace, name].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
            return "\(verb) \(what)\(target.isEmpty ? "" : " \(target)")" + (failedWith.map { " (failed: \($0))" } ?? "")
        }
    }

    /// The error a `failCalls` rule answers with, in kube-apiserver's words; 403 as the
    /// operator's ServiceAccount would be refused.
    static func error(_ code: Int, _ message: String?, for call: Call, gvr: GroupVersionResource) -> KubeError {
        let ref = ObjectRef(gvr, namespace: call.namespace, name: call.name ?? "")
        switch code {
        case 409: return .conflict(ref, message ?? "the object has been modified; please apply your changes to the latest version and try again")
        case 429: return .tooManyRequests(message ?? "Too many requests, please try again later.", retryAfterSeconds: 1)
        case 403:
            return .forbidden(message ?? "\(call.resource) \"\(call.name ?? "")\" is forbidden: User \"system:serviceaccount:yopf:operator\" cannot \(call.verb) resource \"\(call.resource)\"")
        case 500: return .internalError(message ?? "injected by the scenario")
        default: return KubeError(code: code, reason: "InternalError", message: message ?? "injected by the scenario (\(code))")
        }
    }

    public let cluster: MemoryCluster
    private let state = Mutex<(calls: [Call], failures: [FaultRule])>(([], []))

    public init(cluster: MemoryCluster) { self.cluster = cluster }

    public var calls: [Call] { state.withLock { $0.calls } }
    public var callCount: Int { state.withLock { $0.calls.count } }
    public func calls(from index: Int) -> [Call] { state.withLock { Array($0.calls.dropFirst(index)) } }

    /// Adds failures (rules whose action is an error); the first rule that matches a call fires.
    public func fail(_ failure: FaultRule) { state.withLock { $0.failures.append(failure) } }

    /// Records the call and throws the failure a rule holds for it.
    private func admit(_ verb: String, _ gvr: GroupVersionResource, _ subresource: String?, _ namespace: String?, _ name: String?) throws {
        var call = Call(verb: verb, resource: gvr.resource, subresource: subresource, namespace: namespace, name: name)
        let key = RequestKey(verb: verb, resource: gvr.resource, subresource: subresource, namespace: namespace, name: name)
        let fired = state.withLock { FaultRule.fire(in: &$0.failures, for: key) }
        guard case .error(let code, _, let message)? = fired?.action else {
            state.withLock { $0.calls.append(call) }
            return
        }
        call.failedWith = code
        state.withLock { $0.calls.append(call) }
        throw Self.error(code, message, for: call, gvr: gvr)
    }

    /// A handler with `serviceAccount:` talks to the cluster as that account, past this
    /// door (its calls are not counted).
    public func asServiceAccount(_ name: String, namespace: String) async throws -> any KubeAPI {
        try await cluster.asServiceAccount(name, namespace: namespace)
    }

    public func resources() async throws -> [ResourceInfo] { try await cluster.resources() }

    public func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try admit("get", ref.gvr, subresource, ref.namespace, ref.name)
        return try await cluster.get(ref, subresource: subresource)
    }

    public func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try admit("list", gvr, nil, namespace, nil)
        return try await cluster.list(gvr, namespace: namespace, options: options)
    }

    public func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try admit("create", gvr, nil, namespace, body["metadata"]?["name"]?.string)
        return try await cluster.create(gvr, namespace: namespace, body: body, options: options)
    }

    public func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try admit("update", ref.gvr, subresource, ref.namespace, ref.name)
        return try await cluster.update(ref, subresource: subresource, body: body, options: options)
    }

    public func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try admit("patch", ref.gvr, subresource, ref.namespace, ref.name)
        return try await cluster.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }

    public func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        try admit("delete", ref.gvr, nil, ref.namespace, ref.name)
        return try await cluster.delete(ref, options: options)
    }

    public func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try admit("watch", gvr, nil, namespace, nil)
        return try await cluster.watch(gvr, namespace: namespace, options: options)
    }

    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    public func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        // Verb "exec" (kube says create pods/exec): not counted among writes.
        try admit("exec", Self.pods, "exec", request.namespace, request.pod)
        return try await cluster.exec(request, stdin: stdin, stdout: stdout, stderr: stderr)
    }

    public func logs(_ request: PodLogRequest) async throws -> String {
        try admit("get", Self.pods, "log", request.namespace, request.pod)
        return try await cluster.logs(request)
    }
}
