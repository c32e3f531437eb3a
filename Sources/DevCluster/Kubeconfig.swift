#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONValue
import Platform

/// The kubeconfig `yopf dev-cluster` writes: one cluster, one token user, one context,
/// current, with namespace `default`.
public enum Kubeconfig {
    public static let name = "yopf-dev"

    public static func text(server: String, token: String, certificateAuthority: String? = nil) -> String {
        let trust = certificateAuthority.map { "\n    certificate-authority-data: \(Base64.encode(Array($0.utf8)))" } ?? ""
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(name)
          cluster:
            server: \(JSON.quote(server))\(trust)
        users:
        - name: \(name)
          user:
            token: \(JSON.quote(token))
        contexts:
        - name: \(name)
          context:
            cluster: \(name)
            user: \(name)
            namespace: default
        current-context: \(name)
        preferences: {}

        """
    }

    /// Writes the file readable by its owner only (it holds a token).
    public static func write(path: String, server: String, token: String, certificateAuthority: String? = nil) throws(DevClusterError) {
        let bytes = Array(text(server: server, token: token, certificateAuthority: certificateAuthority).utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw .io("cannot write the kubeconfig \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw .io("cannot write the kubeconfig \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// A random token (32 hex digits) from /dev/urandom, or the clock if that is unreadable.
    public static func randomToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let fd = open("/dev/urandom", O_RDONLY)
        if fd >= 0 {
            _ = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
            close(fd)
        } else {
            var seed = UInt64(time(nil))
            for i in 0..<16 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; bytes[i] = UInt8(truncatingIfNeeded: seed >> 33) }
        }
        return bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Failures of the dev-cluster outside the API itself.
public enum DevClusterError: Error, Sendable, CustomStringConvertible {
    case io(String)
    case bind(String)
    case tls(String)

    public var description: String {
        switch self {
        case .io(let m), .bind(let m), .tls(let m): return m
        }
    }
}
