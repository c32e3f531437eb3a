import Kube

/// The query of a `pods/NAME/exec` request, as kubectl and client-go send it:
/// `?command=sh&command=-c&command=cat&container=c&stdin=true&stdout=true&stderr=true[&tty=true]`.
///
/// Parsed from the raw request target because `command` repeats once per argv element
/// (`APIRequest.query` keeps only the first value of a key).
public struct ExecOptions: Sendable, Equatable {
    public var namespace: String
    public var pod: String
    public var container: String?
    public var command: [String]
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(namespace: String, pod: String, container: String? = nil, command: [String],
                stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, tty: Bool = false) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.command = command
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }

    /// The options of an exec request target, or nil when the path is not
    /// `/api/v1/namespaces/NS/pods/NAME/exec`.
    public init?(uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = PercentDecoding.decode(parts.first.map(String.init) ?? "", plusIsSpace: false)
        guard let p = ResourcePath(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path),
              p.group.isEmpty, p.resource == "pods", p.subresource == "exec",
              let namespace = p.namespace, let pod = p.name else { return nil }
        self.init(namespace: namespace, pod: pod, command: [], stdin: false, stdout: false, stderr: false)
        guard parts.count > 1 else { return }
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentDecoding.decode(String(kv[0]), plusIsSpace: true)
            let value = kv.count > 1 ? PercentDecoding.decode(String(kv[1]), plusIsSpace: true) : ""
            switch key {
            case "command": command.append(value)
            case "container": container = value.isEmpty ? nil : value
            case "stdin": stdin = Self.flag(value)
            case "stdout": stdout = Self.flag(value)
            case "stderr": stderr = Self.flag(value)
            case "tty": tty = Self.flag(value)
            default: continue
            }
        }
    }

    static func flag(_ value: String) -> Bool {
        let v = value.lowercased()
        return v == "1" || v == "true" || v == "t" || v == "yes"
    }

    /// kube-apiserver's checks before a session starts, same wording.
    func validate() throws(KubeError) {
        guard !command.isEmpty else {
            throw .badRequest("you must specify at least one command for the container")
        }
        guard stdin || stdout || stderr else {
            throw .badRequest("you must specify at least 1 of stdin, stdout, stderr")
        }
    }

    var request: PodExecRequest {
        PodExecRequest(namespace: namespace, pod: pod, container: container, command: command)
    }
}
