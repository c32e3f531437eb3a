@testable import DevCluster
import Foundation
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Testing

/// The dev-cluster over https (`TLSIdentity` + `TLSServerHandler`), driven by yopf's own
/// client from the kubeconfig the server writes; kubectl's view is in AuthDevClusterCommandTests.
@Suite struct TLSServingTests {
    static let configmaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    struct Served {
        let cluster: MemoryCluster
        let simulator: WorkloadSimulator
        let server: DevClusterServer
        let port: Int
        let identity: TLSIdentity
        let kubeconfig: String

        static func start(tls: Bool = true) async throws -> Served {
            let cluster = MemoryCluster()
            let simulator = WorkloadSimulator(cluster: cluster, runner: ScriptedPodCommandRunner())
            simulator.start()
            cluster.attachPodCommands(simulator)
            let identity = try TLSIdentity.selfSigned()
            let server = DevClusterServer(backend: cluster, token: "tls-admin", tls: tls ? identity : nil)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            let kubeconfig = NSTemporaryDirectory() + "yopf-tls-\(UUID().uuidString).kubeconfig"
            try DevClusterServer.writeKubeconfig(path: kubeconfig, server: "\(tls ? "https" : "http")://127.0.0.1:\(port)", token: "tls-admin",
                                                 certificateAuthority: tls ? identity.certificatePEM : nil)
            return Served(cluster: cluster, simulator: simulator, server: server, port: port, identity: identity, kubeconfig: kubeconfig)
        }

        /// yopf's client as configured by the written kubeconfig.
        func client() throws -> KubeClient {
            let connection = try KubeConfig.fromFiles([kubeconfig], context: nil)
            return KubeClient(endpoint: connection.endpoint, credentials: connection.credentials)
        }

        func stop() async {
            try? await server.stop()
            await simulator.stop()
            try? FileManager.default.removeItem(atPath: kubeconfig)
        }
    }

    @Test func theIdentityIsASelfSignedCertificateForLoopbackAndTheListenHost() throws {
        let identity = try TLSIdentity.selfSigned(hosts: ["dev.example", "10.1.2.3", "0.0.0.0"])
        #expect(identity.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(identity.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(TLSIdentity.isIPAddress("10.1.2.3"))
        #expect(TLSIdentity.isIPAddress("::1"))
        #expect(!TLSIdentity.isIPAddress("dev.example"))
        #expect(!TLSIdentity.isIPAddress("1.2.3"))
        // Each start makes a new key.
        #expect(try TLSIdentity.selfSigned().privateKeyPEM != identity.privateKeyPEM)
    }

    @Test func theWrittenKubeconfigTrustsTheCertificate() async throws {
        let s = try await Served.start()
        let text = try String(contentsOfFile: s.kubeconfig, encoding: .utf8)
        #expect(text.contains("server: \"https://127.0.0.1:\(s.port)\""))
        #expect(text.contains("certificate-authority-data: "))

        let client = try s.client()
        let body: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "over-tls"], "data": ["k": "v"]]
        _ = try await client.create(Self.configmaps, namespace: "default", body: body)
        let got = try await client.get(ObjectRef(Self.configmaps, namespace: "default", name: "over-tls"))
        #expect(got["data"]?["k"] == "v")
        #expect(got["metadata"]?["uid"]?.string?.isEmpty == false)
        await s.stop()
    }

    @Test func largeBodiesCrossManyTLSRecordsBothWays() async throws {
        let s = try await Served.start()
        let client = try s.client()
        // 1 MiB of data: 64 records of 16 KiB each way.
        let big = String((0..<(1 << 20)).map { i in Character(UnicodeScalar(UInt8(97 + i % 26))) })
        _ = try await client.create(Self.configmaps, namespace: "default",
                                    body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"], "data": ["blob": .string(big)]])
        let got = try await client.get(ObjectRef(Self.configmaps, namespace: "default", name: "big"))
        #expect(got["data"]?["blob"]?.string == big)
        await s.stop()
    }

    /// `watch` answers once the server's headers arrive, not with the first event: the
    /// creates below start only after it returned (over http and https alike).
    @Test(arguments: [true, false]) func watchesAnswerAtOnceAndSeeConcurrentCreates(tls: Bool) async throws {
        let s = try await Served.start(tls: tls)
        let client = try s.client()
        // The server ends the watch after 30 s at the latest.
        let version = try await client.list(Self.configmaps, namespace: "default")["metadata"]?["resourceVersion"]?.string
        let events = try await client.watch(Self.configmaps, namespace: "default",
                                            options: WatchOptions(resourceVersion: version, timeoutSeconds: 30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    _ = try await client.create(Self.configmaps, namespace: "default",
                                                body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(i)")]])
                }
            }
            try await group.waitForAll()
        }
        var seen = Set<String>()
        for try await event in events {
            if case .added = event.type, let name = event.object["metadata"]?["name"]?.string { seen.insert(name) }
            if seen.count == 20 { break }
        }
        #expect(seen.count == 20)
        await s.stop()
    }

    @Test func execRunsOverWebSocketInsideTLS() async throws {
        let s = try await Served.start()
        _ = try await s.cluster.create(Self.pods, namespace: "default", body: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p1"],
            "spec": ["containers": [["name": "c", "image": "busybox"]]],
        ], options: WriteOptions())
        var running = false
        for _ in 0..<500 where !running {
            running = (try? await s.cluster.get(ObjectRef(Self.pods, namespace: "default", name: "p1")))?["status"]?["phase"] == "Running"
            if !running { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running)
        let result = try await s.client().exec(PodExecRequest(namespace: "default", pod: "p1", container: "c", command: ["echo", "through", "tls"]))
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "through tls\n")
        await s.stop()
    }

    @Test func aClientWithoutTheCertificateIsRefusedByItsVerification() async throws {
        let s = try await Served.start()
        var options = ClientOptions()
        options.maxAttempts = 1
        let untrusting = KubeClient(endpoint: ClusterEndpoint(server: "https://127.0.0.1:\(s.port)"), credentials: BearerToken("tls-admin"), options: options)
        await #expect(throws: (any Error).self) {
            _ = try await untrusting.list(Self.configmaps, namespace: "default")
        }
        // And plain http to the https port gets no HTTP answer.
        let plain = try RawHTTPConnection(port: s.port)
        try plain.send("GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await plain.readToEnd()
        #expect(!plain.text.hasPrefix("HTTP/1.1"))
        // The server still serves a client that trusts it.
        let versions = try await s.client().list(Self.configmaps, namespace: "default")
        #expect(versions["kind"] == "ConfigMapList")
        await s.stop()
    }
}
