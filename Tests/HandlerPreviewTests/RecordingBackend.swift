import DevCluster
import JSONValue
import Kube
import KubeMemory
import Platform

/// The in-memory cluster behind the dev-cluster's HTTP front, with every call that could
/// change something recorded: writes with their `dryRun` flag, and pod execs. What
/// `yopf plan --cluster` sent is then known from the server's side.
final class RecordingBackend: DevClusterBackend, PodAccess, Sendable {
    struct Write: Sendable, CustomStringConvertible {
        var verb: String
        var target: String
        var dryRun: Bool
        var description: String { "\(verb) \(target)\(dryRun ? " (dry run)" : "")" }
    }

    let cluster: MemoryCluster
    private let log = Locked<[Write]>([])

    init(_ cluster: MemoryCluster) { self.cluster = cluster }

    var writes: [Write] { log.value }

    private func record(_ verb: String, _ target: String, dryRun: Bool) {
        log.update { $0.append(Write(verb: verb, target: target, dryRun: dryRun)) }
    }

    func openAPISchema(for gvk: GroupVersionKind) async throws -> JSON? { cluster.openAPISchema(for: gvk) }
    func resources() async throws -> [ResourceInfo] { try await cluster.resources() }
    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON { try await cluster.get(ref, subresource: subresource) }

    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try await cluster.list(gvr, namespace: namespace, options: options)
    }

    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        record("create", "\(gvr.resource)/\(body["metadata"]?["name"]?.string ?? "")", dryRun: options.dryRun)
        return try await cluster.create(gvr, namespace: namespace, body: body, options: options)
    }

    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        record("update", "\(ref)\(subresource.map { "/\($0)" } ?? "")", dryRun: options.dryRun)
        return try await cluster.update(ref, subresource: subresource, body: body, options: options)
    }

    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        record("patch", "\(ref)\(subresource.map { "/\($0)" } ?? "")", dryRun: options.dryRun)
        return try await cluster.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }

    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        record("delete", "\(ref)", dryRun: options.dryRun)
        return try await cluster.delete(ref, options: options)
    }

    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try await cluster.watch(gvr, namespace: namespace, options: options)
    }

    func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int {
        record("exec", "pods/\(request.namespace)/\(request.pod)", dryRun: false)
        return try await cluster.exec(request, stdin: stdin, stdout: stdout, stderr: stderr)
    }

    func logs(_ request: PodLogRequest) async throws -> String { try await cluster.logs(request) }
}
