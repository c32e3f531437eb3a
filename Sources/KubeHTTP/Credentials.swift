import JSONValue
import Platform
import Synchronization

/// Supplies the `Authorization` header for a request. Chosen per client, and a client
/// can be re-made with other credentials for one handler (tenant ServiceAccount tokens),
/// so credentials are a per-request choice rather than a process-wide one.
public protocol CredentialSource: Sendable {
    /// The header value (e.g. `Bearer …`), or nil for none (client certificates, no auth).
    func authorization() async throws -> String?
    /// Called after a 401 so that cached tokens are dropped before the one retry.
    func invalidate() async
}

/// No Authorization header.
public struct NoCredentials: CredentialSource {
    public init() {}
    public func authorization() async throws -> String? { nil }
    public func invalidate() async {}
}

/// A fixed bearer token.
public struct BearerToken: CredentialSource {
    public let token: String
    public init(_ token: String) { self.token = token }
    public func authorization() async throws -> String? { "Bearer \(token)" }
    public func invalidate() async {}
}

/// HTTP basic auth from a kubeconfig (`username`/`password`); old clusters only.
public struct BasicAuth: CredentialSource {
    let header: String
    public init(user: String, password: String) { header = "Basic " + Base64.encode(Array("\(user):\(password)".utf8)) }
    public func authorization() async throws -> String? { header }
    public func invalidate() async {}
}

/// A bearer token kept in a file and re-read when it changes: the kubelet rotates
/// projected service account tokens in place, and a process that read it once would
/// start failing after an hour.
public final class TokenFile: CredentialSource {
    public let path: String
    private let cache = Mutex<(mtime: Int, token: String)?>(nil)

    public init(path: String) { self.path = path }

    public func authorization() async throws -> String? {
        let mtime = Files.modificationTime(path) ?? -1
        if let cached = cache.withLock({ $0 }), cached.mtime == mtime { return "Bearer \(cached.token)" }
        let token: String
        do { token = try Files.readText(path, limit: 1 << 20) } catch {
            throw CredentialError(message: "cannot read the token file: \(error)")
        }
        let trimmed = String(token.filter { !$0.isWhitespace })
        cache.withLock { $0 = (mtime, trimmed) }
        return "Bearer \(trimmed)"
    }

    public func invalidate() async { cache.withLock { $0 = nil } }
}

public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A `client.authentication.k8s.io/v1` (or v1beta1) exec credential plugin, as cloud
/// kubeconfigs use (`gke-gcloud-auth-plugin`, `aws eks get-token`, `kubelogin`). The
/// token is cached until shortly before `expirationTimestamp`, or until a 401.
public final class ExecCredentialPlugin: CredentialSource {
    let command: String
    let args: [String]
    let env: [String: String]
    let apiVersion: String
    let clusterServer: String
    private let cache = Mutex<(token: String, expiresAt: Int?)?>(nil)

    public init(config: JSON, clusterServer: String, dir: String) throws {
        guard let command = config["command"]?.string, !command.isEmpty else {
            throw CredentialError(message: "exec credential plugin without a command")
        }
        // A relative command with a slash is relative to the kubeconfig's folder, as in kubectl.
        self.command = command.contains("/") && !command.hasPrefix("/") ? Files.join(dir, command) : command
        args = (config["args"]?.array ?? []).compactMap(\.string)
        var env: [String: String] = [:]
        for e in config["env"]?.array ?? [] {
            if let n = e["name"]?.string, let v = e["value"]?.string { env[n] = v }
        }
        apiVersion = config["apiVersion"]?.string ?? "client.authentication.k8s.io/v1"
        self.env = env
        self.clusterServer = clusterServer
    }

    public func authorization() async throws -> String? {
        let now = Int(Timestamp.nowSeconds())
        if let cached = cache.withLock({ $0 }), cached.expiresAt.map({ $0 - 30 > now }) ?? true {
            return "Bearer \(cached.token)"
        }
        var environment = env
        let info: JSON = ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": ["interactive": false]]
        environment["KUBERNETES_EXEC_INFO"] = info.serialized()
        let result: ProcessResult
        do {
            result = try await ChildProcess.run([command] + args, environment: environment, timeoutMilliseconds: 60_000)
        } catch {
            throw CredentialError(message: "exec credential plugin \(command): \(error)")
        }
        guard result.exitCode == 0 else {
            let stderr = String(decoding: result.stderr.suffix(500), as: UTF8.self)
            throw CredentialError(message: "exec credential plugin \(command) exited with \(result.exitCode): \(stderr)")
        }
        guard let credential = try? JSON.parse(result.stdout), let token = credential["status"]?["token"]?.string else {
            throw CredentialError(message: "exec credential plugin \(command) printed no ExecCredential with status.token")
        }
        let expires = credential["status"]?["expirationTimestamp"]?.string.flatMap(Timestamp.parseSeconds)
        cache.withLock { $0 = (token, expires) }
        return "Bearer \(token)"
    }

    public func invalidate() async { cache.withLock { $0 = nil } }
}
