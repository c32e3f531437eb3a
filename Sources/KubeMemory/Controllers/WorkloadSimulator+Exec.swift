import JSONValue
import Kube

extension WorkloadSimulator {
    /// Runs a command in a pod's container, as `POST …/pods/NAME/exec` does: the seam the
    /// dev-cluster's WebSocket front and in-process tests call. The command gets the
    /// container's environment (`env`/`envFrom` resolved) and goes to the runner.
    ///
    /// - Parameter container: may be omitted when the pod has exactly one container.
    /// - Returns: the command's exit code.
    /// - Throws: `KubeError` worded as kube-apiserver words it — 404 for a missing pod, 400
    ///   for a missing or unknown container, an empty command, or a pod that is not Running;
    ///   `PodCommandError` when the runner cannot start the program.
    public func exec(
        namespace: String, pod name: String, container: String?, command: [String], tty: Bool = false,
        stdin: any PodInput = NoPodInput(), stdout: any PodOutput, stderr: any PodOutput
    ) async throws -> Int32 {
        let pod = try await cluster.get(ObjectRef(Workload.pods, namespace: namespace, name: name), subresource: nil)
        let chosen = try Workload.chooseContainer(of: pod, requested: container, podName: name)
        guard !command.isEmpty else {
            throw KubeError.badRequest("you must specify at least one command for the container")
        }
        let phase = Workload.phase(of: pod)
        if phase == "Succeeded" || phase == "Failed" {
            throw KubeError.badRequest("cannot exec into a container in a completed pod; current phase is \(phase)")
        }
        guard phase == "Running" else {
            throw KubeError.badRequest("unable to upgrade connection: container not found (\"\(chosen)\")")
        }
        let spec = (pod["spec"]?["containers"]?.array ?? []).first { $0["name"]?.string == chosen } ?? .emptyObject
        let env = await ContainerEnvironment(api: cluster).resolve(pod: pod, container: spec)
        return try await runner.run(PodCommand(pod: pod, container: chosen, argv: command, environment: env, tty: tty),
                                    stdin: stdin, stdout: stdout, stderr: stderr)
    }
}
