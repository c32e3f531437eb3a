import JSONValue
import Kube

/// What kube-apiserver checks before it upgrades an exec request: the pod exists (404),
/// the container is named or unambiguous and known, and the pod is running (400). A failed
/// check is answered over plain HTTP as a `Status`, which kubectl prints as
/// `Error from server (NotFound): pods "x" not found`.
///
/// The backend checks again when the command starts (a pod may go away in between); that
/// late failure reaches the client as the session's `Status` on channel 3.
enum ExecPreflight {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    static func check(_ options: ExecOptions, backend: any DevClusterBackend) async throws {
        try options.validate()
        let pod = try await backend.get(ObjectRef(pods, namespace: options.namespace, name: options.pod), subresource: nil)
        let names = (pod["spec"]?["containers"]?.array ?? []).compactMap { $0["name"]?.string }
        let chosen: String
        if let container = options.container {
            guard names.contains(container) else {
                throw KubeError.badRequest("container \(container) is not valid for pod \(options.pod)")
            }
            chosen = container
        } else if names.count == 1 {
            chosen = names[0]
        } else {
            throw KubeError.badRequest("a container name must be specified for pod \(options.pod), choose one of: [\(names.joined(separator: " "))]")
        }
        let phase = pod["status"]?["phase"]?.string ?? "Pending"
        if phase == "Succeeded" || phase == "Failed" {
            throw KubeError.badRequest("cannot exec into a container in a completed pod; current phase is \(phase)")
        }
        guard phase == "Running" else {
            throw KubeError.badRequest("unable to upgrade connection: container not found (\"\(chosen)\")")
        }
    }
}
