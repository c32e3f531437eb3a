import JSONValue
import Kube
import Synchronization
import Testing
@testable import KubeMemory

@Suite struct ControllersJobTests {
    @Test func aJobSucceedsByDefault() async throws {
        try await withSimulator { cluster, _ in
            let created = try await cluster.create(W.jobs, namespace: "default", body: job("backup", command: ["mysqldump", "db"]))
            let uid = try #require(created["metadata"]?["uid"]?.string)
            #expect(created["spec"]?["selector"]?["matchLabels"]?["batch.kubernetes.io/controller-uid"]?.string == uid)
            #expect(created["spec"]?["backoffLimit"]?.int == 6)
            #expect(try await eventually { condition(try await cluster.get(ref(W.jobs, "backup")), "Complete")?["status"]?.string == "True" })
            let j = try await cluster.get(ref(W.jobs, "backup"))
            #expect(j["status"]?["succeeded"]?.int == 1)
            #expect(j["status"]?["failed"] == nil)
            #expect(j["status"]?["active"] == nil)
            #expect(j["status"]?["startTime"]?.string != nil)
            #expect(j["status"]?["completionTime"]?.string != nil)
            #expect(condition(j, "Failed") == nil)
            let pods = try await items(cluster, R.pods)
            #expect(pods.count == 1)
            let pod = try #require(pods.first)
            #expect(pod["metadata"]?["labels"]?["job-name"]?.string == "backup")
            #expect(pod["metadata"]?["labels"]?["batch.kubernetes.io/job-name"]?.string == "backup")
            #expect(pod["metadata"]?["labels"]?["controller-uid"]?.string == uid)
            #expect(pod["metadata"]?["ownerReferences"]?[0]?["kind"]?.string == "Job")
            #expect(pod["status"]?["phase"]?.string == "Succeeded")
            let terminated = pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]
            #expect(terminated?["exitCode"]?.int == 0)
            #expect(terminated?["reason"]?.string == "Completed")
            #expect(condition(pod, "Ready")?["reason"]?.string == "PodCompleted")
        }
    }

    @Test func annotationsScriptAFailureUntilTheBackoffLimit() async throws {
        try await withSimulator { cluster, _ in
            let annotations: JSON = ["yopf.dev/simulate-exit-code": "1", "yopf.dev/simulate-log": "connecting\naccess denied",
                                     "yopf.dev/simulate-termination-message": "access denied for root"]
            _ = try await cluster.create(W.jobs, namespace: "default", body: job("restore", annotations: annotations, backoffLimit: 1))
            #expect(try await eventually { condition(try await cluster.get(ref(W.jobs, "restore")), "Failed")?["status"]?.string == "True" })
            let j = try await cluster.get(ref(W.jobs, "restore"))
            #expect(condition(j, "Failed")?["reason"]?.string == "BackoffLimitExceeded")
            #expect(j["status"]?["failed"]?.int == 2)
            #expect(j["status"]?["succeeded"] == nil)
            #expect(condition(j, "Complete") == nil)
            let pods = try await items(cluster, R.pods)
            #expect(pods.count == 2)
            for pod in pods {
                #expect(pod["status"]?["phase"]?.string == "Failed")
                let terminated = pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]
                #expect(terminated?["exitCode"]?.int == 1)
                #expect(terminated?["reason"]?.string == "Error")
                #expect(terminated?["message"]?.string == "access denied for root")
                let name = try #require(pod["metadata"]?["name"]?.string)
                #expect(try cluster.podLogs(namespace: "default", name: name) == "connecting\naccess denied\n")
                #expect(try cluster.podLogs(namespace: "default", name: name, container: "main", tailLines: 1) == "access denied\n")
            }
        }
    }

    @Test func jobContainersRunThroughTheRunner() async throws {
        let seen = Mutex<[[String]]>([])
        let runner = ScriptedPodCommandRunner { command, _, stdout, stderr in
            seen.withLock { $0.append(command.argv) }
            try await stdout.write(bytes("dumped \(command.environment["DB"] ?? "?")\n"))
            try await stderr.write(bytes("warning: slow\n"))
            return 3
        }
        try await withSimulator(runner: runner) { cluster, _ in
            var body = job("dump", backoffLimit: 0)
            let container: JSON = ["name": "main", "image": "mysql", "command": ["sh", "-c"], "args": ["mysqldump $(DB)"],
                                   "env": [["name": "DB", "value": "shop"]], "terminationMessagePolicy": "FallbackToLogsOnError"]
            body.set(.array([container]), at: ["spec", "template", "spec", "containers"])
            _ = try await cluster.create(W.jobs, namespace: "default", body: body)
            #expect(try await eventually { condition(try await cluster.get(ref(W.jobs, "dump")), "Failed")?["status"]?.string == "True" })
            #expect(seen.withLock { $0 } == [["sh", "-c", "mysqldump shop"]])
            let pod = try #require(try await items(cluster, R.pods).first)
            let terminated = pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]
            #expect(terminated?["exitCode"]?.int == 3)
            #expect(terminated?["message"]?.string == "dumped shop\nwarning: slow\n")
            let name = try #require(pod["metadata"]?["name"]?.string)
            #expect(try cluster.podLogs(namespace: "default", name: name) == "dumped shop\nwarning: slow\n")
        }
    }

    @Test func podLogsAnswerLikeTheAPIServer() async throws {
        try await withSimulator { cluster, _ in
            let e = await kubeError { _ = try cluster.podLogs(namespace: "default", name: "nope") }
            #expect(e?.code == 404)
            _ = try await cluster.create(R.pods, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "two", "annotations": ["yopf.dev/simulate-log": "hello"]],
                "spec": ["containers": [["name": "a", "image": "x"], ["name": "b", "image": "y"]]],
            ])
            let ambiguous = await kubeError { _ = try cluster.podLogs(namespace: "default", name: "two") }
            #expect(ambiguous?.code == 400)
            #expect(ambiguous?.message == "a container name must be specified for pod two, choose one of: [a b]")
            let unknown = await kubeError { _ = try cluster.podLogs(namespace: "default", name: "two", container: "c") }
            #expect(unknown?.message == "container c is not valid for pod two")
            #expect(try await eventually { (try? cluster.podLogs(namespace: "default", name: "two", container: "b")) == "hello\n" })
            // A long-running pod runs and stays Running.
            #expect(try await eventually { try await cluster.get(ref(R.pods, "two"))["status"]?["phase"]?.string == "Running" })
        }
    }
}
