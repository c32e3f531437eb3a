import Foundation
import JSONValue
import Kube
import Platform
import Testing

@testable import KubeHTTP

/// Kubeconfig resolution as kubectl does it: merged files, contexts, CA and client
/// certificates from data or files, tokens, token files re-read when rotated, exec plugins.
@Suite struct KubeConfigTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "yopf-kubeconfig-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func mergesFilesFirstWinsAndResolvesTheCurrentContext() throws {
        let a = try write("a", """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: c1
              cluster: {server: "https://one.example:6443/", certificate-authority-data: \(Base64.encode(Array("CA-ONE".utf8)))}
            users:
            - name: u1
              user: {token: tok-one}
            contexts:
            - name: dev
              context: {cluster: c1, user: u1, namespace: team}
            """)
        let b = try write("b", """
            apiVersion: v1
            kind: Config
            current-context: other
            clusters:
            - name: c1
              cluster: {server: "https://shadowed.example"}
            - name: c2
              cluster: {server: "https://two.example", insecure-skip-tls-verify: true, certificate-authority: ca.pem}
            users:
            - name: u2
              user: {client-certificate-data: \(Base64.encode(Array("CERT".utf8))), client-key: key.pem}
            contexts:
            - name: other
              context: {cluster: c2, user: u2}
            """)
        _ = try write("ca.pem", "CA-TWO")
        _ = try write("key.pem", "KEY")
        let dev = try KubeConfig.fromFiles([a, b], context: nil)
        #expect(dev.endpoint.server == "https://one.example:6443")
        #expect(dev.endpoint.tls.caPEM == Array("CA-ONE".utf8))
        #expect(dev.namespace == "team")
        #expect(dev.origin.contains("context dev"))
        let other = try KubeConfig.fromFiles([a, b], context: "other")
        #expect(other.endpoint.server == "https://two.example")
        #expect(other.endpoint.tls.insecureSkipVerify)
        #expect(other.endpoint.tls.caPEM == Array("CA-TWO".utf8))      // relative to the file's folder
        #expect(other.endpoint.tls.clientCertificatePEM == Array("CERT".utf8))
        #expect(other.endpoint.tls.clientKeyPEM == Array("KEY".utf8))
    }

    @Test func clearErrorsForWhatIsMissing() throws {
        let f = try write("bad", """
            apiVersion: v1
            kind: Config
            current-context: nowhere
            contexts:
            - name: broken
              context: {cluster: missing}
            """)
        #expect(throws: KubeConfigError.self) { try KubeConfig.fromFiles([f], context: nil) }
        do {
            _ = try KubeConfig.fromFiles([f], context: "broken")
            Issue.record("loaded")
        } catch let e as KubeConfigError {
            #expect(e.message.contains("names cluster \"missing\", which is not defined"))
        }
    }

    @Test func tokenFilesAreReadAgainWhenRotated() async throws {
        let path = try write("token", "first\n")
        let source = TokenFile(path: path)
        #expect(try await source.authorization() == "Bearer first")
        try await Task.sleep(for: .milliseconds(20))
        _ = try write("token", "second")
        // A different mtime makes it read again (nanosecond resolution on this filesystem).
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(try await source.authorization() == "Bearer second")
    }

    @Test func execCredentialPluginsGiveTokensAndAreCached() async throws {
        let counter = dir + "/calls"
        let plugin = try write("plugin.sh", """
            #!/bin/sh
            echo x >> \(counter)
            case "$KUBERNETES_EXEC_INFO" in *ExecCredential*) ;; *) exit 3;; esac
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin-'$1'","expirationTimestamp":"2099-01-01T00:00:00Z"}}'
            """, mode: 0o755)
        let config = try write("exec", """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example"}}]
            users:
            - name: u
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: [\(plugin), arg1]}
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """)
        let connection = try KubeConfig.fromFiles([config], context: nil)
        #expect(try await connection.credentials.authorization() == "Bearer from-plugin-arg1")
        #expect(try await connection.credentials.authorization() == "Bearer from-plugin-arg1")
        let calls = (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count
        #expect(calls == 1)
    }

    @Test func aFailingPluginSaysWhy() async throws {
        let config = try write("exec-fail", """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example"}}]
            users: [{name: u, user: {exec: {command: sh, args: ["-c", "echo nope >&2; exit 4"]}}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """)
        let connection = try KubeConfig.fromFiles([config], context: nil)
        do {
            _ = try await connection.credentials.authorization()
            Issue.record("no error")
        } catch let e as CredentialError {
            #expect(e.message.contains("exited with 4"))
            #expect(e.message.contains("nope"))
        }
    }

    @Test func inClusterReadsTheServiceAccountFiles() throws {
        _ = try write("ca.crt", "CLUSTER-CA")
        _ = try write("namespace", "ops\n")
        _ = try write("token", "sa-token")
        setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1)
        setenv("KUBERNETES_SERVICE_PORT", "443", 1)
        defer { unsetenv("KUBERNETES_SERVICE_HOST"); unsetenv("KUBERNETES_SERVICE_PORT") }
        let c = try KubeConfig.inCluster(directory: dir)
        #expect(c.endpoint.server == "https://10.0.0.1:443")
        #expect(c.endpoint.tls.caPEM == Array("CLUSTER-CA".utf8))
        #expect(c.namespace == "ops")
        #expect(c.origin == "in-cluster")
    }
}
