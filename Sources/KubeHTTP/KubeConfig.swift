import JSONValue
import Platform
import YAMLLoader

/// How to reach and authenticate to a cluster, resolved from a kubeconfig or from the
/// in-cluster service account files.
public struct ClusterConnection: Sendable {
    public var endpoint: ClusterEndpoint
    public var credentials: any CredentialSource
    /// The namespace of the context (or of the pod, in a cluster); nil when unset.
    public var namespace: String?
    /// Where it came from, for logs: `kubeconfig /path (context x)` or `in-cluster`.
    public var origin: String
}

public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reads kubeconfig files the way kubectl does: `--kubeconfig`, else the `KUBECONFIG`
/// list (colon-separated, first file wins for each named entry and for
/// `current-context`), else `~/.kube/config`; else the in-cluster service account.
public enum KubeConfig {
    public static let inClusterDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Whether a cluster is configured at all: `--kubeconfig`, a non-empty `KUBECONFIG`
    /// (even one naming files that do not exist: that is an error for `load` to report,
    /// never a reason to fall back to a fake cluster), `~/.kube/config`, or a pod's
    /// service account. The CLI starts the embedded cluster only when this is false.
    public static func isConfigured(explicitPath: String?) -> Bool {
        if explicitPath != nil { return true }
        if let list = Environment.get("KUBECONFIG"), !list.isEmpty { return true }
        if let home = Environment.get("HOME"), Files.exists(home + "/.kube/config") { return true }
        return Environment.get("KUBERNETES_SERVICE_HOST") != nil
    }

    /// Where the configuration comes from, for messages.
    public static func describeConfiguration(explicitPath: String?) -> String {
        if let explicitPath { return "--kubeconfig \(explicitPath)" }
        if let list = Environment.get("KUBECONFIG"), !list.isEmpty { return "KUBECONFIG=\(list)" }
        if let home = Environment.get("HOME"), Files.exists(home + "/.kube/config") { return "\(home)/.kube/config" }
        return "the pod's service account"
    }

    /// The `KUBECONFIG` entries, or `~/.kube/config` when it is unset.
    static func listedFiles() -> [String] {
        if let list = Environment.get("KUBECONFIG"), !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let home = Environment.get("HOME") {
            let path = home + "/.kube/config"
            if Files.exists(path) { return [path] }
        }
        return []
    }

    /// `KUBECONFIG` entries that do not exist (kubectl skips them when others exist).
    public static func missingFiles() -> [String] {
        listedFiles().filter { !Files.exists($0) }
    }

    /// Resolves the connection to use.
    public static func load(explicitPath: String? = nil, context: String? = nil) throws -> ClusterConnection {
        if let explicitPath {
            guard Files.exists(explicitPath) else {
                throw KubeConfigError(message: "--kubeconfig \(explicitPath): no such file")
            }
            return try fromFiles([explicitPath], context: context)
        }
        let listed = listedFiles()
        let files = listed.filter { Files.exists($0) }
        if files.isEmpty {
            if !listed.isEmpty {
                throw KubeConfigError(message: "KUBECONFIG names \(listed.count == 1 ? "a file that does" : "files that do") not exist: \(listed.joined(separator: ", ")); fix it, or unset KUBECONFIG (and add --embedded) to use the embedded cluster")
            }
            if Environment.get("KUBERNETES_SERVICE_HOST") != nil { return try inCluster() }
            throw KubeConfigError(message: "no kubeconfig found (looked at --kubeconfig, KUBECONFIG and ~/.kube/config) and not running in a cluster")
        }
        return try fromFiles(files, context: context)
    }

    /// Merges the files as kubectl does and resolves one context.
    public static func fromFiles(_ paths: [String], context requested: String?) throws -> ClusterConnection {
        var clusters: [String: (JSON, String)] = [:]
        var users: [String: (JSON, String)] = [:]
        var contexts: [String: JSON] = [:]
        var current: String?
        for path in paths {
            let docs: [YAMLDocument]
            do { docs = try YAML.loadFile(atPath: path) } catch {
                throw KubeConfigError(message: "cannot read kubeconfig: \(error)")
            }
            guard let config = docs.first?.value else { continue }
            let dir = Files.directory(of: path)
            for c in config["clusters"]?.array ?? [] {
                if let name = c["name"]?.string, clusters[name] == nil { clusters[name] = (c["cluster"] ?? [:], dir) }
            }
            for u in config["users"]?.array ?? [] {
                if let name = u["name"]?.string, users[name] == nil { users[name] = (u["user"] ?? [:], dir) }
            }
            for c in config["contexts"]?.array ?? [] {
                if let name = c["name"]?.string, contexts[name] == nil { contexts[name] = c["context"] ?? [:] }
            }
            if current == nil, let cc = config["current-context"]?.string, !cc.isEmpty { current = cc }
        }
        let where_ = paths.joined(separator: ":")
        guard let contextName = requested ?? current else {
            throw KubeConfigError(message: "\(where_): no current-context; pass --context")
        }
        guard let context = contexts[contextName] else {
            throw KubeConfigError(message: "\(where_): context \"\(contextName)\" not found")
        }
        guard let clusterName = context["cluster"]?.string, let (cluster, clusterDir) = clusters[clusterName] else {
            throw KubeConfigError(message: "\(where_): context \"\(contextName)\" names cluster \"\(context["cluster"]?.string ?? "")\", which is not defined")
        }
        guard let server = cluster["server"]?.string, !server.isEmpty else {
            throw KubeConfigError(message: "\(where_): cluster \"\(clusterName)\" has no server")
        }
        var tls = TLSSettings(insecureSkipVerify: cluster["insecure-skip-tls-verify"]?.bool ?? false)
        tls.caPEM = try material(cluster, data: "certificate-authority-data", file: "certificate-authority", dir: clusterDir, what: "cluster \(clusterName)")

        var credentials: any CredentialSource = NoCredentials()
        if let userName = context["user"]?.string, !userName.isEmpty {
            guard let (user, userDir) = users[userName] else {
                throw KubeConfigError(message: "\(where_): context \"\(contextName)\" names user \"\(userName)\", which is not defined")
            }
            tls.clientCertificatePEM = try material(user, data: "client-certificate-data", file: "client-certificate", dir: userDir, what: "user \(userName)")
            tls.clientKeyPEM = try material(user, data: "client-key-data", file: "client-key", dir: userDir, what: "user \(userName)")
            if let token = user["token"]?.string, !token.isEmpty {
                credentials = BearerToken(token)
            } else if let file = user["tokenFile"]?.string, !file.isEmpty {
                credentials = TokenFile(path: Files.join(userDir, file))
            } else if let exec = user["exec"], exec.object != nil {
                credentials = try ExecCredentialPlugin(config: exec, clusterServer: server, dir: userDir)
            } else if let name = user["username"]?.string, let password = user["password"]?.string {
                credentials = BasicAuth(user: name, password: password)
            }
        }
        return ClusterConnection(
            endpoint: ClusterEndpoint(server: server, tls: tls), credentials: credentials,
            namespace: context["namespace"]?.string, origin: "kubeconfig \(where_) (context \(contextName))")
    }

    /// The pod's service account: token (re-read when the kubelet rotates it), CA, namespace.
    public static func inCluster(directory: String = inClusterDirectory) throws -> ClusterConnection {
        guard let host = Environment.get("KUBERNETES_SERVICE_HOST"), let port = Environment.get("KUBERNETES_SERVICE_PORT") else {
            throw KubeConfigError(message: "not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let ca: [UInt8]
        do { ca = try Files.read(directory + "/ca.crt") } catch {
            throw KubeConfigError(message: "in-cluster: cannot read the CA: \(error)")
        }
        let namespace = (try? Files.readText(directory + "/namespace"))?.trimmingBlanks()
        return ClusterConnection(
            endpoint: ClusterEndpoint(server: "https://\(hostPart):\(port)", tls: TLSSettings(caPEM: ca)),
            credentials: TokenFile(path: directory + "/token"), namespace: namespace, origin: "in-cluster")
    }

    static func material(_ entry: JSON, data: String, file: String, dir: String, what: String) throws -> [UInt8]? {
        if let encoded = entry[data]?.string, !encoded.isEmpty {
            guard let bytes = Base64.decode(encoded) else {
                throw KubeConfigError(message: "\(what): \(data) is not valid base64")
            }
            return bytes
        }
        if let path = entry[file]?.string, !path.isEmpty {
            do { return try Files.read(Files.join(dir, path)) } catch {
                throw KubeConfigError(message: "\(what): cannot read \(file): \(error)")
            }
        }
        return nil
    }
}

