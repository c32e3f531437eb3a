import JSONValue

/// One command to run in a pod's container: the exec request of `kubectl exec` and of the
/// `exec`/`stream` steps, or a container's own command when the simulated kubelet starts it.
public struct PodCommand: Sendable {
    /// The pod as stored (its spec, labels, annotations).
    public var pod: JSON
    public var container: String
    /// The program and its arguments (no shell unless argv names one).
    public var argv: [String]
    /// The container's environment with `valueFrom` and `envFrom` resolved.
    public var environment: [String: String]
    /// A terminal was asked for (`kubectl exec -t`); runners may ignore it.
    public var tty: Bool

    public init(pod: JSON, container: String, argv: [String], environment: [String: String] = [:], tty: Bool = false) {
        self.pod = pod
        self.container = container
        self.argv = argv
        self.environment = environment
        self.tty = tty
    }

    public var podName: String { pod["metadata"]?["name"]?.string ?? "" }
    public var podNamespace: String { pod["metadata"]?["namespace"]?.string ?? "" }
}

/// What runs commands "inside" the dev-cluster's pods: exec requests, and the containers
/// of pods that run to completion (Job pods, pods with `restartPolicy: Never`).
///
/// Two implementations: `ScriptedPodCommandRunner` (the default; behaviour a test decides)
/// and `LocalPodCommandRunner` (`yopf dev-cluster --exec=local`: real local processes).
public protocol PodCommandRunner: Sendable {
    /// Runs the command to its end, streaming stdin in and stdout/stderr out, and returns its
    /// exit code. Throws when the command cannot be started at all (no such program); the
    /// caller reports that like a container runtime would.
    func run(_ command: PodCommand, stdin: any PodInput, stdout: any PodOutput, stderr: any PodOutput) async throws -> Int32
}

/// A command that could not be started in a pod.
public struct PodCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
