import Foundation
import JSONValue
import TestSupport
import Testing

/// `yopf run` as a user starts it: what it refuses to start with, where it says so, and
/// how it stops. Needs the yopf binary (`swift test` builds it beside the tests).
@Suite(.enabled(if: YopfBinary.path != nil, "the yopf binary is not built next to the test bundle"))
struct RunCommandTests {
    /// A small operator whose create handler waits (for a condition that never comes)
    /// for up to a minute: something running when a signal arrives.
    static func waitingOperator(in folder: TemporaryFolder) throws -> String {
        try folder.write("op/operator.yaml", """
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: waiter}
            spec:
              watch: {group: test.yopf.dev, version: v1, plural: waits}
              crd:
                names: {kind: Wait}
                versions: [{name: v1}]
              handlers:
                - id: hold
                  on: create
                  steps:
                    - name: first
                      status: {started: true}
                    - wait:
                        apiVersion: v1
                        kind: ConfigMap
                        name: never
                        condition: Ready
                      timeout: 60s
            """)
        try folder.write("wait.yaml", """
            apiVersion: test.yopf.dev/v1
            kind: Wait
            metadata: {name: w1, namespace: default}
            spec: {}
            """)
        return folder.path + "/op"
    }

    @Test func aMissingKubeconfigFileIsAnErrorThatNamesIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let op = try Self.waitingOperator(in: folder)
        for (env, args, expected) in [
            (["KUBECONFIG": "/missing/kubeconfig"], ["run", op], "/missing/kubeconfig"),
            ([:], ["run", op, "--kubeconfig", "/missing/other"], "/missing/other"),
        ] {
            let p = try YopfProcess(args, environment: env)
            defer { p.cleanUp() }
            #expect(await p.waitForExit(limit: .seconds(60)) != nil)
            #expect(p.process.terminationStatus != 0)
            #expect(p.output.contains(expected), "output: \(p.output)")
            #expect(!p.output.contains("running against an embedded"), "never a silent fake: \(p.output)")
            #expect(!p.output.contains("embedded cluster at"), "never a silent fake: \(p.output)")
        }
    }

    @Test func aMissingContextIsAnErrorThatNamesIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let op = try Self.waitingOperator(in: folder)
        try folder.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: real, context: {cluster: c, user: u}}]
            current-context: real
            """)
        let p = try YopfProcess(["run", op, "--kubeconfig", folder.path + "/kubeconfig", "--context", "nope"])
        defer { p.cleanUp() }
        #expect(await p.waitForExit() != nil)
        #expect(p.process.terminationStatus != 0)
        #expect(p.output.contains("context \"nope\" not found"), "output: \(p.output)")
    }

    /// The acceptance of the shutdown bound: SIGINT with --shutdown-grace 2 during a 60 s
    /// step ends the process in a few seconds, not when the step times out.
    @Test func theShutdownGraceBoundsAStepThatWouldRunOn() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let op = try Self.waitingOperator(in: folder)
        let p = try YopfProcess(
            ["run", op, "--embedded", "--dev-apply", folder.path + "/wait.yaml", "--dev-kubeconfig", folder.path + "/dev.kubeconfig",
             "--shutdown-grace", "2", "-v"],
            environment: ["KUBECONFIG": "", "HOME": folder.path])
        defer { p.cleanUp() }
        // The kubectl hint is on stderr while the process runs, not buffered until exit.
        #expect(await p.waitForOutput("embedded cluster at http://"))
        // The wait step (the second) is running.
        #expect(await p.waitForOutput("step=1-wait"), "output: \(p.output)")
        p.signal(SIGINT)
        let took = await p.waitForExit(limit: .seconds(50))
        let elapsed = try #require(took, "still running 50 s after SIGINT")
        // 2 s of grace, then the step is cancelled; generous for a loaded machine.
        #expect(elapsed < .seconds(15), "exited after \(elapsed)")
        #expect(p.output.contains("shutdown grace over"), "output: \(p.output)")
    }

    @Test func aSecondSignalExitsAtOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let op = try Self.waitingOperator(in: folder)
        let p = try YopfProcess(
            ["run", op, "--embedded", "--dev-apply", folder.path + "/wait.yaml", "--dev-kubeconfig", folder.path + "/dev.kubeconfig",
             "--shutdown-grace", "50", "-v"],
            environment: ["KUBECONFIG": "", "HOME": folder.path])
        defer { p.cleanUp() }
        #expect(await p.waitForOutput("step=1-wait"), "output: \(p.output)")
        p.signal(SIGINT)
        #expect(await p.waitForOutput("a second signal exits at once"))
        p.signal(SIGINT)
        let took = await p.waitForExit(limit: .seconds(30))
        #expect(took != nil, "the second SIGINT did not end the process")
    }

    @Test func jsonLogsKeepNumbersAsNumbers() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let op = try Self.waitingOperator(in: folder)
        let p = try YopfProcess(
            ["run", op, "--embedded", "--dev-apply", folder.path + "/wait.yaml", "--dev-kubeconfig", folder.path + "/dev.kubeconfig",
             "--log-format", "json", "--shutdown-grace", "0"],
            environment: ["KUBECONFIG": "", "HOME": folder.path])
        defer { p.cleanUp() }
        #expect(await p.waitForOutput("\"msg\":\"operator starting\""))
        p.signal(SIGTERM)
        _ = await p.waitForExit()
        let line = try #require(p.stderr.split(separator: "\n").first { $0.contains("\"msg\":\"operator starting\"") })
        let json = try JSON.parse(Array(line.utf8))
        #expect(json["handlers"] == 1, "line: \(line)")
    }
}
