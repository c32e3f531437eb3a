import JSONValue
import Kube

extension MemoryCluster {
    /// The log of a pod's container as `GET …/pods/NAME/log` serves it: the simulated log of
    /// a scripted container or the real output of a local one (see `WorkloadSimulator`).
    ///
    /// - Parameters:
    ///   - container: may be omitted when the pod has exactly one container.
    ///   - tailLines: only the last lines (a final line without newline counts).
    /// - Throws: 404 when the pod does not exist; 400, worded as kube-apiserver words it, when
    ///   the container is missing, unknown, or has not started yet.
    public func podLogs(namespace: String, name: String, container: String? = nil, tailLines: Int? = nil) throws -> String {
        let ref = ObjectRef(Workload.pods, namespace: namespace, name: name)
        let pod = try state.withLock { s in try s.get(try s.registry.require(ref.gvr), ref, subresource: nil) }
        let chosen = try Workload.chooseContainer(of: pod, requested: container, podName: name)
        guard let bytes = podLogStore.log(uid: pod["metadata"]?["uid"]?.string ?? "", container: chosen) else {
            throw KubeError.badRequest("container \"\(chosen)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        }
        return PodLogStore.tail(String(decoding: bytes, as: UTF8.self), lines: tailLines)
    }

    /// `GET …/pods/NAME/log?follow=true`: the log so far (its last `tailLines` lines), then
    /// what the container writes next. The stream ends when the container has terminated
    /// and the pod's status says so, or when the pod is deleted; at once for a container
    /// that already has. Errors as `podLogs`.
    public func followPodLogs(namespace: String, name: String, container: String? = nil, tailLines: Int? = nil) throws -> AsyncStream<[UInt8]> {
        let ref = ObjectRef(Workload.pods, namespace: namespace, name: name)
        let pod = try state.withLock { s in try s.get(try s.registry.require(ref.gvr), ref, subresource: nil) }
        let chosen = try Workload.chooseContainer(of: pod, requested: container, podName: name)
        guard let (sofar, next) = podLogStore.follow(uid: pod["metadata"]?["uid"]?.string ?? "", container: chosen) else {
            throw KubeError.badRequest("container \"\(chosen)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
        }
        let first = Array(PodLogStore.tail(String(decoding: sofar, as: UTF8.self), lines: tailLines).utf8)
        return AsyncStream { continuation in
            let relay = Task {
                if !first.isEmpty { continuation.yield(first) }
                for await bytes in next { continuation.yield(bytes) }
                continuation.finish()
            }
            continuation.onTermination = { _ in relay.cancel() }
        }
    }
}

extension PodLogStore {
    /// The last `lines` lines of `text` (all of it when nil; nothing when 0 or less).
    static func tail(_ text: String, lines: Int?) -> String {
        guard let lines else { return text }
        if lines <= 0 || text.isEmpty { return "" }
        var all = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { all.removeLast() }
        let kept = all.suffix(lines).joined(separator: "\n")
        return text.hasSuffix("\n") ? kept + "\n" : kept
    }
}

extension MemoryCluster {
    /// Sets a container's whole log, as a finished container left it (for `yopf test`'s
    /// failed Jobs, whose pods never run). Nothing when the pod does not exist.
    public func recordPodLog(namespace: String, pod name: String, container: String, text: String) {
        let ref = ObjectRef(Workload.pods, namespace: namespace, name: name)
        guard let pod = try? state.withLock({ s in try s.get(try s.registry.require(ref.gvr), ref, subresource: nil) }),
              let uid = pod["metadata"]?["uid"]?.string else { return }
        podLogStore.start(uid: uid, container: container)
        podLogStore.append(uid: uid, container: container, Array(text.utf8))
        podLogStore.end(uid: uid, container: container)
    }
}
