import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct ControllersExecTests {
    func runningPod(_ cluster: MemoryCluster, _ name: String, containers: JSON = [["name": "c", "image": "x"]]) async throws {
        _ = try await cluster.create(R.pods, namespace: "default", body: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": ["containers": containers],
        ])
        #expect(try await eventually { Workload.isReady(try await cluster.get(ref(R.pods, name))) })
    }

    @Test func builtinCommandsAnswerExec() async throws {
        try await withSimulator { cluster, sim in
            _ = try await cluster.create(R.secrets, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "data": ["pw": "c2VjcmV0"],
            ])
            try await runningPod(cluster, "p", containers: [[
                "name": "c", "image": "x",
                "env": [["name": "PW", "valueFrom": ["secretKeyRef": ["name": "s", "key": "pw"]]],
                        ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
            ]])
            let out = CollectedPodOutput(), err = CollectedPodOutput()
            #expect(try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["echo", "hi", "there"], stdout: out, stderr: err) == 0)
            #expect(out.text == "hi there\n")
            let cat = CollectedPodOutput()
            #expect(try await sim.exec(namespace: "default", pod: "p", container: "c", command: ["cat"],
                                       stdin: BytesPodInput("piped\ndata"), stdout: cat, stderr: err) == 0)
            #expect(cat.text == "piped\ndata")
            let count = CollectedPodOutput()
            let big = [UInt8](repeating: 65, count: 3_000_000)
            #expect(try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["wc", "-c"],
                                       stdin: BytesPodInput(big), stdout: count, stderr: err) == 0)
            #expect(count.text == "3000000\n")
            let env = CollectedPodOutput()
            #expect(try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["printenv", "PW"], stdout: env, stderr: err) == 0)
            #expect(env.text == "secret\n")
            let pod = CollectedPodOutput()
            _ = try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["printenv", "POD"], stdout: pod, stderr: err)
            #expect(pod.text == "p\n")
            #expect(try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["sh", "-c", "exit 7"], stdout: out, stderr: err) == 7)
            #expect(try await sim.exec(namespace: "default", pod: "p", container: nil, command: ["false"], stdout: out, stderr: err) == 1)
        }
    }

    @Test func execRefusesWhatTheAPIServerRefuses() async throws {
        try await withSimulator { cluster, sim in
            let out = CollectedPodOutput()
            let missing = await kubeError { _ = try await sim.exec(namespace: "default", pod: "none", container: nil, command: ["true"], stdout: out, stderr: out) }
            #expect(missing?.code == 404)
            try await runningPod(cluster, "two", containers: [["name": "a", "image": "x"], ["name": "b", "image": "x"]])
            let ambiguous = await kubeError { _ = try await sim.exec(namespace: "default", pod: "two", container: nil, command: ["true"], stdout: out, stderr: out) }
            #expect(ambiguous?.message == "a container name must be specified for pod two, choose one of: [a b]")
            let unknown = await kubeError { _ = try await sim.exec(namespace: "default", pod: "two", container: "z", command: ["true"], stdout: out, stderr: out) }
            #expect(unknown?.message == "container z is not valid for pod two")
            let empty = await kubeError { _ = try await sim.exec(namespace: "default", pod: "two", container: "a", command: [], stdout: out, stderr: out) }
            #expect(empty?.code == 400)
            _ = try await cluster.create(W.jobs, namespace: "default", body: job("done"))
            #expect(try await eventually { condition(try await cluster.get(ref(W.jobs, "done")), "Complete") != nil })
            let podName = try #require(try await items(cluster, R.pods).first { $0["metadata"]?["labels"]?["job-name"]?.string == "done" }?["metadata"]?["name"]?.string)
            let completed = await kubeError { _ = try await sim.exec(namespace: "default", pod: podName, container: nil, command: ["true"], stdout: out, stderr: out) }
            #expect(completed?.message == "cannot exec into a container in a completed pod; current phase is Succeeded")
        }
    }

    @Test func aScriptedRunnerSeesTheCommandAndItsStreams() async throws {
        let runner = ScriptedPodCommandRunner { command, stdin, stdout, stderr in
            guard command.argv.first == "mysql" else { return try await ScriptedPodCommandRunner.builtin(command, stdin, stdout, stderr) }
            let (input, _) = try await stdin.readAll()
            try await stdout.write(bytes("\(command.container):\(input.count)"))
            try await stderr.write(bytes("oops"))
            return 2
        }
        try await withSimulator(runner: runner) { cluster, sim in
            try await runningPod(cluster, "db")
            let out = CollectedPodOutput(), err = CollectedPodOutput()
            let code = try await sim.exec(namespace: "default", pod: "db", container: nil, command: ["mysql", "-u", "root"],
                                          stdin: BytesPodInput("select 1;"), stdout: out, stderr: err)
            #expect(code == 2)
            #expect(out.text == "c:9")
            #expect(err.text == "oops")
            let echo = CollectedPodOutput()
            _ = try await sim.exec(namespace: "default", pod: "db", container: nil, command: ["echo", "x"], stdout: echo, stderr: err)
            #expect(echo.text == "x\n")
        }
    }
}
