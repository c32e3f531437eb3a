import JSONValue
import Kube
import KubeMemory
import Synchronization
import Testing
@testable import Steps

/// `job` steps on the in-memory cluster, whose Job controller runs scripted pods.
@Suite struct ExecStepsJobTests {
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    static func handlers(exitCode: Int, cleanup: Bool = false, wait: Bool = true, extra: String = "", name: String = "") -> String {
        """
                - id: backup
                  on: create
                  retries: 0
                  steps:
                    - name: dump
                      wait: \(wait)
                      cleanup: \(cleanup)
                      job:
                        apiVersion: batch/v1
                        kind: Job
                        metadata:
                          \(name.isEmpty ? "" : "name: '\(name)'")
                          annotations:
                            yopf.dev/simulate-exit-code: "\(exitCode)"
                            yopf.dev/simulate-termination-message: "mysqldump: Got error 28 (No space left on device)"
                            yopf.dev/simulate-log: "starting dump\\nwriting tables\\nerror: disk full\\n"
                            \(extra)
                        spec:
                          backoffLimit: 0
                          template:
                            spec:
                              restartPolicy: Never
                              containers: [{name: dump, image: mysql, command: [mysqldump]}]
                  result: '{job: $steps.dump}'
        """
    }

    static func harness(_ handlers: String) async throws -> (RuntimeHarness, WorkloadSimulator) {
        let h = try await RuntimeHarness(handlers: handlers)
        let sim = WorkloadSimulator(cluster: h.cluster, configuration: .init(podStartDelay: .milliseconds(10)))
        sim.start()
        h.cluster.attachPodCommands(sim)
        return (h, sim)
    }

    static func jobList(_ h: RuntimeHarness) async throws -> [JSON] {
        try await h.cluster.list(jobs, namespace: h.namespace)["items"]?.array ?? []
    }

    @Test func aJobIsCreatedOwnedAndWaitedFor() async throws {
        let (h, sim) = try await Self.harness(Self.handlers(exitCode: 0))
        let op = h.start()
        let cr = try await h.create("db1", spec: [:])
        try await h.waitUntil("db1 is Ready") { try await h.isReady("db1") }
        await op.stop()
        await sim.stop()
        let out = try #require(try await h.get("db1")?["status"]?["backup"]?["job"])
        let uid = cr["metadata"]?["uid"]?.string ?? ""
        let name = out["name"]?.string ?? ""
        #expect(name.hasPrefix("db1-dump-") && name.count == "db1-dump-".count + 8, "\(name)")
        #expect(out["status"] == "Complete")
        #expect(out["succeeded"] == 1)
        #expect(out["failed"] == 0)
        #expect(out["created"] == true)
        let job = try await h.cluster.get(ObjectRef(Self.jobs, namespace: h.namespace, name: name))
        #expect(job["metadata"]?["ownerReferences"]?[0]?["uid"]?.string == uid)
        // "handler/step"; the handler's id comes from the logger, which the tests keep silent.
        #expect(job["metadata"]?["annotations"]?["yopf.dev/created-by"]?.string?.hasSuffix("dump") == true)
    }

    @Test func aFailedJobFailsTheStepWithTerminationMessageAndLogTail() async throws {
        let (h, sim) = try await Self.harness(Self.handlers(exitCode: 1))
        let op = h.start()
        try await h.create("db1", spec: [:])
        try await h.waitUntil("backup failed") { h.progress(try await h.get("db1"), "backup")?["failure"] == true }
        await op.stop()
        await sim.stop()
        let message = h.progress(try await h.get("db1"), "backup")?["message"]?.string ?? ""
        #expect(message.contains("failed (BackoffLimitExceeded"), "\(message)")
        #expect(message.contains("container dump exited with"), "\(message)")
        #expect(message.contains("No space left on device"), "\(message)")
        #expect(message.contains("error: disk full"), "the log tail: \(message)")
    }

    @Test func cleanupDeletesTheJobAfterSuccessAndWaitFalseReturnsAtOnce() async throws {
        let (h, sim) = try await Self.harness(Self.handlers(exitCode: 0, cleanup: true))
        let op = h.start()
        try await h.create("db1", spec: [:])
        try await h.waitUntil("db1 is Ready") { try await h.isReady("db1") }
        try await h.waitUntil("the Job is gone") { try await Self.jobList(h).isEmpty }
        await op.stop()
        await sim.stop()
        #expect(try await h.get("db1")?["status"]?["backup"]?["job"]?["deleted"] == true)

        let (h2, sim2) = try await Self.harness(Self.handlers(exitCode: 0, wait: false, extra: "yopf.dev/simulate-duration: \"600\""))
        let op2 = h2.start()
        try await h2.create("db2", spec: [:])
        try await h2.waitUntil("db2 is Ready") { try await h2.isReady("db2") }
        await op2.stop()
        await sim2.stop()
        let out = try await h2.get("db2")?["status"]?["backup"]?["job"]
        #expect(out?["status"] == "Created")
        #expect(try await Self.jobList(h2).count == 1, "the Job runs on")
    }

    @Test func aResumedHandlerAdoptsTheJobItCreatedInsteadOfMakingASecond() async throws {
        let (h, sim) = try await Self.harness(Self.handlers(exitCode: 0))
        // The first process dies right after its Job was created, before any progress write.
        let dying = DiesAfterCreatingAJob(h.cluster)
        let first = h.start(api: dying)
        try await h.create("db1", spec: [:])
        try await h.waitUntil("the first process died") { dying.isDead }
        await first.stop()
        #expect(try await Self.jobList(h).count == 1)
        let second = h.start()
        try await h.waitUntil("db1 is Ready") { try await h.isReady("db1") }
        await second.stop()
        await sim.stop()
        let out = try await h.get("db1")?["status"]?["backup"]?["job"]
        #expect(out?["created"] == false, "the Job of the first process was found and used")
        #expect(out?["status"] == "Complete")
        #expect(try await Self.jobList(h).count == 1)
    }

    @Test func aJobOfTheSameNameThatIsNotOursIsAPermanentError() async throws {
        let (h, sim) = try await Self.harness(Self.handlers(exitCode: 0, name: "${{ .metadata.name }}-backup"))
        _ = try await h.cluster.create(Self.jobs, namespace: h.namespace, body: [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "db1-backup"],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "x"]]]]],
        ])
        let op = h.start()
        try await h.create("db1", spec: [:])
        try await h.waitUntil("backup failed") { h.progress(try await h.get("db1"), "backup")?["failure"] == true }
        await op.stop()
        await sim.stop()
        let message = h.progress(try await h.get("db1"), "backup")?["message"]?.string ?? ""
        #expect(message.contains("a Job named db1-backup already exists in namespace default and does not belong to this resource"), "\(message)")
    }

    @Test func jobNamesAreDNSLabelsOfAtMost63Characters() {
        let long = JobStep.jobName(owner: String(repeating: "Very.Long_Name", count: 10), uid: "u", handler: "h",
                                   step: "step Restore From Backup[2]")
        #expect(long.count <= 63)
        #expect(long.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
        #expect(!long.hasPrefix("-") && !long.hasSuffix("-") && !long.contains("--"))
        #expect(long.contains("-restore-from-backup-2-"))
        #expect(!JobStep.jobName(owner: "x", uid: "u", handler: "h", step: "step aaaaaaaaaaaaaaaaaaaaaaa.b").contains("--"))
        let a = JobStep.jobName(owner: "x", uid: "u1", handler: "h", step: "step s")
        #expect(a == JobStep.jobName(owner: "x", uid: "u1", handler: "h", step: "step s"), "deterministic")
        #expect(a != JobStep.jobName(owner: "x", uid: "u2", handler: "h", step: "step s"))
        #expect(a != JobStep.jobName(owner: "x", uid: "u1", handler: "h2", step: "step s"))
        #expect(a != JobStep.jobName(owner: "x", uid: "u1", handler: "h", step: "step t"))
    }
}

/// The API of a process that dies (every call fails) right after it created a Job.
final class DiesAfterCreatingAJob: KubeAPI {
    let inner: MemoryCluster
    private let dead = Atomic<Bool>(false)

    init(_ inner: MemoryCluster) { self.inner = inner }

    var isDead: Bool { dead.load(ordering: .sequentiallyConsistent) }

    struct Killed: Error {}

    private func alive() throws { if isDead { throw Killed() } }

    func resources() async throws -> [ResourceInfo] { try alive(); return try await inner.resources() }
    func get(_ ref: ObjectRef, subresource: String?) async throws -> JSON {
        try alive(); return try await inner.get(ref, subresource: subresource)
    }
    func list(_ gvr: GroupVersionResource, namespace: String?, options: ListOptions) async throws -> JSON {
        try alive(); return try await inner.list(gvr, namespace: namespace, options: options)
    }
    func create(_ gvr: GroupVersionResource, namespace: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive()
        let created = try await inner.create(gvr, namespace: namespace, body: body, options: options)
        if gvr.resource == "jobs" {
            dead.store(true, ordering: .sequentiallyConsistent)
            throw Killed()
        }
        return created
    }
    func update(_ ref: ObjectRef, subresource: String?, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive(); return try await inner.update(ref, subresource: subresource, body: body, options: options)
    }
    func patch(_ ref: ObjectRef, subresource: String?, type: PatchType, body: JSON, options: WriteOptions) async throws -> JSON {
        try alive(); return try await inner.patch(ref, subresource: subresource, type: type, body: body, options: options)
    }
    func delete(_ ref: ObjectRef, options: DeleteOptions) async throws -> JSON {
        try alive(); return try await inner.delete(ref, options: options)
    }
    func watch(_ gvr: GroupVersionResource, namespace: String?, options: WatchOptions) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try alive(); return try await inner.watch(gvr, namespace: namespace, options: options)
    }
}
