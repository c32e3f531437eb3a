import Foundation
import JSONValue
import Kube
import KubeMemory
import Platform
import Testing

/// `exec` and `stream` steps on the in-memory cluster, whose pods run a scripted runner.
@Suite struct ExecStepsTests {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let secrets = GroupVersionResource(group: "", version: "v1", resource: "secrets")

    /// A harness whose cluster runs pods: `runner` answers exec requests.
    static func harness(_ handlers: String, runner: ScriptedPodCommandRunner, folder: String = "/tmp") async throws -> (RuntimeHarness, WorkloadSimulator) {
        let h = try await RuntimeHarness(handlers: handlers, folder: folder)
        let sim = WorkloadSimulator(cluster: h.cluster, runner: runner, configuration: .init(podStartDelay: .milliseconds(10)))
        sim.start()
        h.cluster.attachPodCommands(sim)
        return (h, sim)
    }

    /// A Running, Ready pod with these labels and containers.
    static func pod(_ h: RuntimeHarness, _ name: String, labels: JSON, containers: [String] = ["main"]) async throws {
        _ = try await h.cluster.create(pods, namespace: h.namespace, body: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": labels],
            "spec": ["containers": .array(containers.map { ["name": .string($0), "image": "x"] })],
        ])
        try await h.waitUntil("pod \(name) is Ready") {
            let p = try await h.cluster.get(ObjectRef(pods, namespace: h.namespace, name: name))
            return (p["status"]?["conditions"]?.array ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
        }
    }

    @Test func execFindsTheReadyPodByLabelsAndRecordsItsOutput() async throws {
        let seen = Locked<[String]>([])
        let runner = ScriptedPodCommandRunner { command, _, stdout, stderr in
            seen.set(["\(command.podName)/\(command.container)"] + command.argv)
            try await stdout.write(Array("  password updated\n".utf8))
            try await stderr.write(Array("warning: insecure\n".utf8))
            return 0
        }
        let (h, sim) = try await Self.harness("""
                - id: rotate
                  on: create
                  steps:
                    - name: pw
                      exec:
                        pod: {selector: {app: '${{ .metadata.name }}'}}
                        command: [mysqladmin, -uroot, '-p${{ .spec.old }}', password, '${{ .spec.new }}']
                  result: '{out: $steps.pw}'
            """, runner: runner)
        try await Self.pod(h, "db-0", labels: ["app": "db"], containers: ["mysql", "sidecar"])
        try await Self.pod(h, "other", labels: ["app": "web"])
        let op = h.start()
        try await h.create("db", spec: ["old": "a b", "new": "c;d"])
        try await h.waitUntil("db is Ready") { try await h.isReady("db") }
        await op.stop()
        await sim.stop()
        #expect(seen.value == ["db-0/mysql", "mysqladmin", "-uroot", "-pa b", "password", "c;d"], "argv as written, first container")
        let out = try await h.get("db")?["status"]?["rotate"]?["out"]
        #expect(out == ["exitCode": 0, "stdout": "password updated", "stderr": "warning: insecure", "pod": "db-0", "container": "mysql"])
    }

    @Test func anUnexpectedExitCodeFailsTheStepWithTheEndOfStderr() async throws {
        let runner = ScriptedPodCommandRunner { command, _, _, stderr in
            try await stderr.write(Array((String(repeating: "noise\n", count: 200) + "ERROR 1045: Access denied\n").utf8))
            return command.argv.last == "three" ? 3 : 1
        }
        let (h, sim) = try await Self.harness("""
                - id: tolerant
                  on: create
                  steps:
                    - name: t
                      exec: {pod: {name: p}, command: [check, three], expectExitCodes: [0, 3]}
                  result: '{code: $steps.t.exitCode}'
                - id: strict
                  on: create
                  retries: 0
                  steps:
                    - exec: {pod: p, container: main, command: [mysql, one]}
            """, runner: runner)
        try await Self.pod(h, "p", labels: ["app": "p"])
        let op = h.start()
        try await h.create("w", spec: [:])
        try await h.waitUntil("strict failed") { h.progress(try await h.get("w"), "strict")?["failure"] == true }
        await op.stop()
        await sim.stop()
        let w = try await h.get("w")
        #expect(w?["status"]?["tolerant"]?["code"] == 3)
        let message = h.progress(w, "strict")?["message"]?.string ?? ""
        #expect(message.contains("mysql in pod p exited with 1"), "\(message)")
        #expect(message.contains("ERROR 1045: Access denied"), "\(message)")
        #expect(message.count < 600, "only the tail of stderr")
    }

    @Test func noReadyPodIsAClearRetriableError() async throws {
        let (h, sim) = try await Self.harness("""
                - id: x
                  on: create
                  retries: 0
                  steps:
                    - exec: {pod: {selector: {app: nothing}}, command: ['true']}
            """, runner: ScriptedPodCommandRunner())
        let op = h.start()
        try await h.create("w", spec: [:])
        try await h.waitUntil("x failed") { h.progress(try await h.get("w"), "x")?["failure"] == true }
        await op.stop()
        await sim.stop()
        let message = h.progress(try await h.get("w"), "x")?["message"]?.string ?? ""
        #expect(message.contains("no Ready pod with labels app=nothing in namespace default (no pod has them)"), "\(message)")
    }

    @Test func streamSendsValuesSecretKeysAndFilesThenClosesStdin() async throws {
        let received = Locked<[String: String]>([:])
        let runner = ScriptedPodCommandRunner { command, stdin, stdout, _ in
            let (bytes, _) = try await stdin.readAll()  // returns only once stdin is closed
            received.update { $0[command.argv[1]] = String(decoding: bytes, as: UTF8.self) }
            try await stdout.write(Array("\(bytes.count)".utf8))
            return 0
        }
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try "seed data\n".write(toFile: folder.path + "/seed.sql", atomically: true, encoding: .utf8)
        let (h, sim) = try await Self.harness("""
                - id: load
                  on: create
                  steps:
                    - name: v
                      stream: {pod: p, command: [load, value], stdin: {value: '.spec.rows'}}
                    - name: s
                      stream: {pod: p, command: [load, secret], stdin: {secretKey: {name: creds, key: pw}}}
                    - name: f
                      stream: {pod: p, command: [load, file], stdin: {file: seed.sql}}
                    - name: t
                      stream: {pod: p, command: [load, text], stdin: {value: '"plain " + .metadata.name'}}
                  result: '{v: $steps.v.bytesIn, f: $steps.f.stdout, t: $steps.t.bytesIn}'
            """, runner: runner, folder: folder.path)
        _ = try await h.cluster.create(Self.secrets, namespace: h.namespace, body: [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds"], "data": ["pw": .string(Base64.encode(Array("s3cret".utf8)))],
        ])
        try await Self.pod(h, "p", labels: ["app": "p"])
        let op = h.start()
        try await h.create("w", spec: ["rows": [1, 2]])
        try await h.waitUntil("w is Ready") { try await h.isReady("w") }
        await op.stop()
        await sim.stop()
        #expect(received.value == ["value": "[1,2]", "secret": "s3cret", "file": "seed data\n", "text": "plain w"])
        #expect(try await h.get("w")?["status"]?["load"] == ["v": 5, "f": "10", "t": 7])
    }

    @Test func podToPodStreamHasBackPressureAndEndsWithTheSource() async throws {
        let total = 50 << 20
        let chunk = 64 << 10
        let written = Locked(0), read = Locked(0), maxInFlight = Locked(0)
        let runner = ScriptedPodCommandRunner { command, stdin, stdout, _ in
            switch command.argv[0] {
            case "mysqldump":
                var n = 0
                while n < total {
                    let size = min(chunk, total - n)
                    try await stdout.write([UInt8](repeating: UInt8(truncatingIfNeeded: n / chunk), count: size))
                    n += size
                    written.set(n)
                }
                return 0
            case "mysql":
                var sum = 0
                while let piece = try await stdin.read() {
                    let r = read.update { $0 += piece.count; return $0 }
                    let inFlight = written.value - r
                    maxInFlight.update { $0 = max($0, inFlight) }
                    sum &+= piece.reduce(0) { $0 &+ Int($1) }
                }
                try await stdout.write(Array("\(read.value) \(sum)".utf8))
                return 0
            default:
                return 127
            }
        }
        let (h, sim) = try await Self.harness("""
                - id: copy
                  on: create
                  steps:
                    - name: pipe
                      stream:
                        pod: {selector: {role: replica}}
                        command: [mysql]
                        stdin:
                          fromExec: {pod: {selector: {role: primary}}, command: [mysqldump, --all-databases]}
                      timeout: 5m
                  result: '{out: $steps.pipe.stdout, bytes: $steps.pipe.bytesIn, source: $steps.pipe.source.exitCode}'
            """, runner: runner)
        try await Self.pod(h, "primary", labels: ["role": "primary"])
        try await Self.pod(h, "replica", labels: ["role": "replica"])
        let op = h.start()
        try await h.create("w", spec: [:])
        try await h.waitUntil("w is Ready", limit: .seconds(240)) { try await h.isReady("w") }
        await op.stop()
        await sim.stop()
        var expectedSum = 0
        for i in 0..<(total / chunk) { expectedSum &+= chunk * (i & 0xFF) }
        #expect(try await h.get("w")?["status"]?["copy"] == ["out": .string("\(total) \(expectedSum)"), "bytes": .int(total), "source": 0])
        #expect(maxInFlight.value <= 1 << 20, "at most about the pipe's capacity is held between the pods, got \(maxInFlight.value)")
    }

    @Test func aFailingSourceFailsTheStreamWithTheSourcesError() async throws {
        let targetSawError = Locked(false)
        let runner = ScriptedPodCommandRunner { command, stdin, stdout, stderr in
            if command.argv[0] == "dump" {
                try await stdout.write(Array("half a dump".utf8))
                try await stderr.write(Array("dump: disk failure".utf8))
                return 2
            }
            do {
                _ = try await stdin.readAll()
            } catch {
                targetSawError.set(true)
                throw error
            }
            return 0
        }
        let (h, sim) = try await Self.harness("""
                - id: copy
                  on: create
                  retries: 0
                  steps:
                    - stream: {pod: b, command: [restore], stdin: {fromExec: {pod: a, command: [dump]}}}
            """, runner: runner)
        try await Self.pod(h, "a", labels: ["x": "a"])
        try await Self.pod(h, "b", labels: ["x": "b"])
        let op = h.start()
        try await h.create("w", spec: [:])
        try await h.waitUntil("copy failed") { h.progress(try await h.get("w"), "copy")?["failure"] == true }
        await op.stop()
        await sim.stop()
        let message = h.progress(try await h.get("w"), "copy")?["message"]?.string ?? ""
        #expect(message.contains("dump in pod a exited with 2: dump: disk failure"), "\(message)")
        #expect(targetSawError.value, "the restore did not take half a dump for a whole one")
    }

    @Test func theStepTimeoutStopsACommandThatDoesNotEnd() async throws {
        let cancelled = Locked(false)
        let runner = ScriptedPodCommandRunner { _, _, _, _ in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.set(true)
                throw error
            }
            return 0
        }
        let (h, sim) = try await Self.harness("""
                - id: slow
                  on: create
                  retries: 0
                  steps:
                    - exec: {pod: p, command: [mysqldump]}
                      timeout: 200ms
            """, runner: runner)
        try await Self.pod(h, "p", labels: ["app": "p"])
        let op = h.start()
        try await h.create("w", spec: [:])
        try await h.waitUntil("slow failed") { h.progress(try await h.get("w"), "slow")?["failure"] == true }
        await op.stop()
        await sim.stop()
        #expect(h.progress(try await h.get("w"), "slow")?["message"]?.string?.contains("timed out") == true)
        #expect(cancelled.value, "the command was stopped, not left running")
    }
}
