import DevCluster
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Testing

/// pods/exec and pods/log served over loopback, driven by yopf's own HTTP client
/// (`KubeClient`): proves our client against our server. kubectl's view is in the referee.
@Suite struct ExecServingTests {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    /// A served cluster with the workload simulator (scripted commands) and one Running pod `p1`.
    struct Served {
        let cluster: MemoryCluster
        let simulator: WorkloadSimulator
        let server: DevClusterServer
        let port: Int
        let client: KubeClient

        static func start(protocols: [String] = ["v5.channel.k8s.io", "v4.channel.k8s.io"],
                          runner: any PodCommandRunner = ScriptedPodCommandRunner(),
                          annotations: JSON = [:]) async throws -> Served {
            let cluster = MemoryCluster()
            let simulator = WorkloadSimulator(cluster: cluster, runner: runner)
            simulator.start()
            cluster.attachPodCommands(simulator)
            let server = DevClusterServer(backend: cluster, token: "t", execProtocols: protocols)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            let client = KubeClient(endpoint: ClusterEndpoint(server: "http://127.0.0.1:\(port)"), credentials: BearerToken("t"))
            _ = try await cluster.create(ExecServingTests.pods, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": "p1", "annotations": annotations],
                "spec": ["containers": [["name": "c", "image": "busybox"]]],
            ], options: WriteOptions())
            let served = Served(cluster: cluster, simulator: simulator, server: server, port: port, client: client)
            #expect(await served.podPhase("p1", is: "Running"))
            return served
        }

        /// Polls (bounded) until the pod has the phase; asserts the outcome, not the time.
        func podPhase(_ name: String, is phase: String) async -> Bool {
            for _ in 0..<500 {
                let pod = try? await cluster.get(ObjectRef(ExecServingTests.pods, namespace: "default", name: name), subresource: nil)
                if pod?["status"]?["phase"]?.string == phase { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return false
        }

        func stop() async {
            try? await server.stop()
            await simulator.stop()
        }
    }

    @Test func execPrintsStdoutAndExitsZero() async throws {
        let s = try await Served.start()
        let result = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", container: "c", command: ["echo", "hi", "there"]))
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hi there\n")
        await s.stop()
    }

    @Test func nonZeroExitCodeComesBack() async throws {
        let s = try await Served.start()
        let result = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["sh", "-c", "exit 3"]))
        #expect(result.exitCode == 3)
        await s.stop()
    }

    @Test func stderrIsItsOwnChannel() async throws {
        let runner = ScriptedPodCommandRunner { _, _, stdout, stderr in
            try await stdout.write(Array("out\n".utf8))
            try await stderr.write(Array("err\n".utf8))
            return 2
        }
        let s = try await Served.start(runner: runner)
        let result = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["x"]))
        #expect(result.exitCode == 2)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
        await s.stop()
    }

    /// 5 MB through v5 stdin, ended by the close signal: `wc -c` sees all of it and ends.
    @Test func fiveMegabytesOfStdinAreCounted() async throws {
        let s = try await Served.start()
        let size = 5 << 20
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let result = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["wc", "-c"]),
                                             stdin: .bytes(payload))
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "\(size)\n")
        await s.stop()
    }

    @Test func catEchoesStdin() async throws {
        let s = try await Served.start()
        let text = (0..<2000).map { "line \($0)\n" }.joined()
        let result = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["cat"]),
                                             stdin: .bytes(Array(text.utf8), chunkSize: 1000), keep: 1 << 20)
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == text)
        await s.stop()
    }

    @Test func missingPodIsNotFoundBeforeTheUpgrade() async throws {
        let s = try await Served.start()
        await #expect {
            _ = try await s.client.exec(PodExecRequest(namespace: "default", pod: "nope", command: ["true"]))
        } throws: { error in
            (error as? KubeError)?.code == 404 && "\(error)".contains("pods \"nope\" not found")
        }
        await s.stop()
    }

    @Test func unknownContainerIsBadRequest() async throws {
        let s = try await Served.start()
        await #expect {
            _ = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", container: "db", command: ["true"]))
        } throws: { error in
            (error as? KubeError)?.code == 400 && "\(error)".contains("container db is not valid for pod p1")
        }
        await s.stop()
    }

    @Test func v4OnlyServerRunsPlainExecButRefusesStdin() async throws {
        let s = try await Served.start(protocols: ["v4.channel.k8s.io"])
        let plain = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["echo", "old"]))
        #expect(plain.exitCode == 0)
        #expect(String(decoding: plain.stdout, as: UTF8.self) == "old\n")
        await #expect {
            _ = try await s.client.exec(PodExecRequest(namespace: "default", pod: "p1", command: ["wc", "-c"]), stdin: .bytes([1, 2, 3]))
        } throws: { error in
            "\(error)".contains("v5.channel.k8s.io")
        }
        await s.stop()
    }

    @Test func logsAreServedAsText() async throws {
        let s = try await Served.start(annotations: ["yopf.dev/simulate-log": "one\ntwo\nthree\n"])
        let all = try await s.client.logs(PodLogRequest(namespace: "default", pod: "p1"))
        #expect(all == "one\ntwo\nthree\n")
        let last = try await s.client.logs(PodLogRequest(namespace: "default", pod: "p1", tailLines: 1))
        #expect(last == "three\n")
        let cut = try await s.client.logs(PodLogRequest(namespace: "default", pod: "p1", limitBytes: 5))
        #expect(cut == "one\nt")
        await #expect {
            _ = try await s.client.logs(PodLogRequest(namespace: "default", pod: "nope"))
        } throws: { error in
            (error as? KubeError)?.code == 404
        }
        await s.stop()
    }
}

/// The exec and log routes without a socket.
@Suite struct ExecRoutingTests {
    @Test func execQueryKeepsEveryCommandWord() {
        let o = ExecOptions(uri: "/api/v1/namespaces/ns/pods/p/exec?command=sh&command=-c&command=echo%20a%2Bb&container=c&stdin=true&stdout=true&tty=false")
        #expect(o == ExecOptions(namespace: "ns", pod: "p", container: "c", command: ["sh", "-c", "echo a+b"], stdin: true, stdout: true, stderr: false, tty: false))
        #expect(ExecOptions(uri: "/api/v1/namespaces/ns/pods/p/log") == nil)
        #expect(ExecOptions(uri: "/apis/apps/v1/namespaces/ns/deployments/p/exec") == nil)
    }

    @Test func execWithoutUpgradeSaysSo() async throws {
        let cluster = MemoryCluster()
        _ = try await cluster.create(ExecServingTests.pods, namespace: "default", body: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p1"],
            "spec": ["containers": [["name": "c", "image": "x"]]],
        ], options: WriteOptions())
        _ = try await cluster.patch(ObjectRef(ExecServingTests.pods, namespace: "default", name: "p1"), subresource: "status",
                                    type: .merge, body: ["status": ["phase": "Running"]], options: WriteOptions())
        let router = Fixtures.router(cluster)
        let plain = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/pods/p1/exec?command=ls&stdout=true"))
        #expect(plain.status == 400)
        #expect(plain.json["message"] == "Upgrade request required")
        var spdy = Fixtures.request("POST", "/api/v1/namespaces/default/pods/p1/exec?command=ls&stdout=true")
        spdy.headers["upgrade"] = "SPDY/3.1"
        #expect(await router.handle(spdy).json["message"]?.string?.contains("SPDY is not served") == true)
        let missing = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true"))
        #expect(missing.status == 404)
        let noCommand = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/pods/p1/exec?stdout=true"))
        #expect(noCommand.json["message"] == "you must specify at least one command for the container")
    }

    @Test func logWithoutSimulatorStartedIsWaiting() async throws {
        let cluster = MemoryCluster()
        _ = try await cluster.create(ExecServingTests.pods, namespace: "default", body: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p1"],
            "spec": ["containers": [["name": "c", "image": "x"]]],
        ], options: WriteOptions())
        let r = await Fixtures.router(cluster).handle(Fixtures.request("GET", "/api/v1/namespaces/default/pods/p1/log?tailLines=x"))
        #expect(r.status == 400)
        #expect(r.json["message"]?.string?.contains("tailLines") == true)
        let waiting = await Fixtures.router(cluster).handle(Fixtures.request("GET", "/api/v1/namespaces/default/pods/p1/log"))
        #expect(waiting.status == 400)
        #expect(waiting.json["message"]?.string?.contains("is waiting to start") == true)
    }
}
