import JSONValue
import Kube
import KubeMemory
import Synchronization
import Testing

/// The MySQL example (handlers/mysql) on the in-memory cluster with the workload simulator:
/// pods and Jobs are simulated, their commands scripted by `ScriptedMySQL`.
@Suite struct MySQLExampleTests {
    static let mysqls = GroupVersionResource(group: "otus.homework", version: "v1", resource: "mysqls")
    static let pvs = GroupVersionResource(group: "", version: "v1", resource: "persistentvolumes")
    static let pvcs = GroupVersionResource(group: "", version: "v1", resource: "persistentvolumeclaims")
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let events = GroupVersionResource(group: "", version: "v1", resource: "events")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    /// handlers/mysql/samples/mysql.yaml
    static let name = "mysql-instance"
    static let password = "otuspassword"
    static let newPassword = "n3w-Pa55word"
    let instance = ObjectRef(mysqls, namespace: "default", name: name)

    /// A running operator with its simulated workloads; `stop()` ends both.
    struct Running {
        let h: ExampleHarness
        let simulator: WorkloadSimulator
        let run: Task<Void, any Error>

        func stop() async {
            run.cancel()
            await simulator.stop()
        }
    }

    func start(_ pods: ScriptedMySQL) async throws -> Running {
        let h = try ExampleHarness(handlers: "handlers/mysql")
        try await h.installCRD()
        let simulator = h.startWorkloads(pods.runner(cluster: h.cluster))
        try await h.apply(file: "handlers/mysql/samples/mysql.yaml")
        let run = Task { try await h.runner.run() }
        return Running(h: h, simulator: simulator, run: run)
    }

    /// `status.<handler>.message` once the handler has a result.
    func result(_ h: ExampleHarness, _ handler: String) async throws -> String {
        try await h.eventually("the result of \(handler)", seconds: 60) { () -> String? in
            try await h.cluster.get(instance)["status"]?[handler]?["message"]?.string
        }
    }

    func get(_ h: ExampleHarness, _ gvr: GroupVersionResource, _ name: String, namespaced: Bool = true) async throws -> JSON {
        try await h.cluster.get(ObjectRef(gvr, namespace: namespaced ? "default" : nil, name: name))
    }

    /// Every progress message in the resource's status and every Event's message.
    func messages(_ h: ExampleHarness) async throws -> [String] {
        var out: [String] = []
        if let cr = try? await h.cluster.get(instance), let progress = cr["status"]?["yopf"]?["progress"]?.object {
            out += progress.values.compactMap { $0["message"]?.string }
        }
        let events = try await h.cluster.list(Self.events, namespace: "default")
        out += (events["items"]?.array ?? []).compactMap { $0["message"]?.string }
        return out
    }

    func expectNoPassword(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            #expect(!text.contains(Self.password), "a password in: \(text)", sourceLocation: sourceLocation)
            #expect(!text.contains(Self.newPassword), "a password in: \(text)", sourceLocation: sourceLocation)
        }
    }

    // MARK: create

    @Test func createMakesTheServerAndKeepsTheBackupVolumeUnowned() async throws {
        let pods = ScriptedMySQL()
        let r = try await start(pods)
        let h = r.h
        #expect(try await result(h, "mysql_on_create") == "mysql-instance created without restore-job")
        let cr = try await h.cluster.get(instance)
        let uid = cr["metadata"]?["uid"]

        // Namespaced children are owned by the instance; the data PV (cluster-scoped) is labelled.
        for (gvr, name) in [(Self.pvcs, "mysql-instance-pvc"), (Self.services, "mysql-instance"), (Self.deployments, "mysql-instance")] {
            let o = try await get(h, gvr, name)
            #expect(o["metadata"]?["ownerReferences"]?[0]?["uid"] == uid, "\(name) is not owned by the instance")
        }
        let pv = try await get(h, Self.pvs, "mysql-instance-pv", namespaced: false)
        #expect(pv["spec"]?["capacity"]?["storage"] == "1Gi")
        #expect(pv["metadata"]?["ownerReferences"] == nil)

        // The backup volume has no owner: it outlives the instance.
        let backupPVC = try await get(h, Self.pvcs, "backup-mysql-instance-pvc")
        #expect(backupPVC["metadata"]?["ownerReferences"] == nil)
        let backupPV = try await get(h, Self.pvs, "backup-mysql-instance-pv", namespaced: false)
        #expect(backupPV["metadata"]?["ownerReferences"] == nil)

        // The password from the spec is in the pod's environment.
        let deployment = try await get(h, Self.deployments, "mysql-instance")
        #expect(Self.env(deployment, "MYSQL_ROOT_PASSWORD") == Self.password)
        #expect(Self.env(deployment, "MYSQL_DATABASE") == "otus_database")

        // The restore Job ran, found no dump and failed; the handler went on.
        let restore = pods.jobRuns("restore")
        #expect(restore.count == 1)
        #expect(restore.first?.environment["MYSQL_PWD"] == Self.password)
        let job = try await get(h, Self.jobs, "restore-mysql-instance-job")
        #expect(job["status"]?["failed"] == 1)
        #expect(cr["metadata"]?["finalizers"]?.array?.contains("yopf.dev/finalizer") == true)
        await r.stop()
    }

    @Test func createRestoresTheLastDump() async throws {
        let pods = ScriptedMySQL()
        pods.state.withLock { $0.dumpExists = true }
        let r = try await start(pods)
        #expect(try await result(r.h, "mysql_on_create") == "mysql-instance created with restore-job")
        let job = try await get(r.h, Self.jobs, "restore-mysql-instance-job")
        #expect(job["status"]?["succeeded"] == 1)
        // The restore reads the dump named after the instance from the backup volume.
        let script = pods.jobRuns("restore").first?.argv.last ?? ""
        #expect(script.contains("/backup/mysql-instance-dump.sql"))
        #expect(script.contains("--host='mysql-instance'"))
        #expect(!script.contains(Self.password), "the password belongs in MYSQL_PWD, not in the command")
        await r.stop()
    }

    // MARK: update

    @Test func passwordRotationExecsMysqladminThenRestartsThePod() async throws {
        let pods = ScriptedMySQL()
        let r = try await start(pods)
        let h = r.h
        _ = try await result(h, "mysql_on_create")

        // Every spec.replicas the Deployment goes through from now on.
        let replicas = ReplicaLog()
        let watch = try await h.cluster.watch(Self.deployments, namespace: "default", options: WatchOptions())
        let watching = Task {
            for try await event in watch where event.object["metadata"]?["name"] == "mysql-instance" {
                if let n = event.object["spec"]?["replicas"]?.int { replicas.values.withLock { $0.append(n) } }
            }
        }
        defer { watching.cancel() }

        _ = try await h.cluster.patch(instance, subresource: nil, type: .merge,
                                      body: ["spec": ["password": .string(Self.newPassword)]], options: WriteOptions())
        #expect(try await result(h, "mysql_on_update") == "password updated")

        // mysqladmin in the server's pod, with the old password to log in and the new one.
        let execs = pods.commands.filter { $0.argv.first == "mysqladmin" }
        #expect(execs.count == 1)
        let argv = execs.first?.argv ?? []
        #expect(argv.contains("--password=\(Self.password)"))
        #expect(Array(argv.suffix(2)) == ["password", Self.newPassword])
        #expect(execs.first?.container == "mysql")
        #expect(execs.first?.pod["metadata"]?["labels"]?["app"] == "mysql-instance")

        // The Deployment carries the new password and went through 0 back to 1 ready replica.
        let deployment = try await get(h, Self.deployments, "mysql-instance")
        #expect(Self.env(deployment, "MYSQL_ROOT_PASSWORD") == Self.newPassword)
        #expect(deployment["spec"]?["replicas"] == 1)
        #expect(deployment["status"]?["readyReplicas"] == 1)
        let seen = replicas.values.withLock { $0 }
        let zero = seen.firstIndex(of: 0)
        #expect(zero != nil, "never scaled to 0: \(seen)")
        #expect(zero.map { seen[$0...].contains(1) } == true, "not scaled back to 1: \(seen)")

        expectNoPassword(try await messages(h))
        await r.stop()
    }

    @Test func aFailedRotationSaysWhyWithoutThePasswords() async throws {
        let pods = ScriptedMySQL()
        pods.state.withLock { $0.rotationFails = true }
        let r = try await start(pods)
        let h = r.h
        _ = try await result(h, "mysql_on_create")
        _ = try await h.cluster.patch(instance, subresource: nil, type: .merge,
                                      body: ["spec": ["password": .string(Self.newPassword)]], options: WriteOptions())
        let message = try await h.eventually("the failure in the progress") { () -> String? in
            let cr = try await h.cluster.get(instance)
            return cr["status"]?["yopf"]?["progress"]?["mysql_on_update"]?["message"]?.string
        }
        #expect(message.contains("exited with 1"))
        #expect(message.contains("Access denied for user 'root'@'localhost'"))
        // The scripted stderr echoes the old password; the message shows it masked.
        #expect(message.contains("--password=***"))
        let warnings = try await h.eventually("a Warning event") { () -> [String]? in
            let texts = try await messages(h).filter { $0.contains("mysql_on_update") }
            return texts.isEmpty ? nil : texts
        }
        expectNoPassword([message] + warnings + (try await messages(h)))
        // Nothing after the failed exec ran: the pod still has the old password.
        let deployment = try await get(h, Self.deployments, "mysql-instance")
        #expect(Self.env(deployment, "MYSQL_ROOT_PASSWORD") == Self.password)
        await r.stop()
    }

    // MARK: delete

    @Test func deleteWaitsForTheBackupJob() async throws {
        let pods = ScriptedMySQL()
        let r = try await start(pods)
        let h = r.h
        _ = try await result(h, "mysql_on_create")

        // resourceVersions are one counter across the in-memory cluster: they order the
        // backup Job's completion and the instance's removal.
        let order = ChangeLog()
        let jobWatch = try await h.cluster.watch(Self.jobs, namespace: "default", options: WatchOptions())
        let instanceWatch = try await h.cluster.watch(Self.mysqls, namespace: "default", options: WatchOptions())
        let watching = Task {
            for try await event in jobWatch where event.object["metadata"]?["name"] == "backup-mysql-instance-job" {
                let complete = (event.object["status"]?["conditions"]?.array ?? []).contains { $0["type"] == "Complete" && $0["status"] == "True" }
                if complete { order.record(event.object, "backup complete") }
            }
        }
        let watchingInstance = Task {
            for try await event in instanceWatch where event.type == .deleted { order.record(event.object, "instance deleted") }
        }
        defer { watching.cancel(); watchingInstance.cancel() }

        _ = try await h.cluster.delete(instance)
        _ = try await h.eventually("the instance gone", seconds: 60) { () -> Bool? in
            do { _ = try await h.cluster.get(instance); return nil } catch let e as KubeError where e.code == 404 { return true }
        }
        let sequence = try await h.eventually("both changes seen") { () -> [String]? in
            let seen = order.sequence
            return seen.contains("instance deleted") && seen.contains("backup complete") ? seen : nil
        }
        #expect(sequence.first == "backup complete", "\(sequence)")
        // The backup ran while the instance still existed, held by the finalizer.
        let backups = pods.jobRuns("backup")
        #expect(backups.count == 1)
        let during = pods.state.withLock { $0.instanceDuringBackup }
        #expect(during?["metadata"]?["deletionTimestamp"] != nil)
        #expect(during?["metadata"]?["finalizers"]?.array?.contains("yopf.dev/finalizer") == true)
        #expect(backups.first?.environment["MYSQL_PWD"] == Self.password)
        let script = backups.first?.argv.last ?? ""
        #expect(script.contains("mysqldump --user=root --host='mysql-instance' --port=3306"))
        #expect(script.contains("'/backup/mysql-instance-dump.sql'"))
        #expect(pods.state.withLock { $0.dumpExists })
        // The backup volume stays.
        _ = try await get(h, Self.pvcs, "backup-mysql-instance-pvc")
        await r.stop()
    }

    @Test func aFailingBackupHoldsTheInstance() async throws {
        let pods = ScriptedMySQL()
        pods.state.withLock { $0.backupFails = true }
        let r = try await start(pods)
        let h = r.h
        _ = try await result(h, "mysql_on_create")
        _ = try await h.cluster.delete(instance)
        let message = try await h.eventually("the backup failure", seconds: 60) { () -> String? in
            let cr = try await h.cluster.get(instance)
            return cr["status"]?["yopf"]?["progress"]?["mysql_on_delete"]?["message"]?.string
        }
        #expect(message.contains("Can't connect to MySQL server"))
        let cr = try await h.cluster.get(instance)
        #expect(cr["metadata"]?["finalizers"]?.array?.contains("yopf.dev/finalizer") == true)
        expectNoPassword([message])
        await r.stop()
    }

    // MARK: restore on demand

    @Test func restoreFromStreamsAConfigMapIntoThePod() async throws {
        let pods = ScriptedMySQL()
        let r = try await start(pods)
        let h = r.h
        _ = try await result(h, "mysql_on_create")
        let dump = "INSERT INTO notes VALUES (2, 'streamed');\n"
        _ = try await h.cluster.create(Self.configMaps, namespace: "default", body: [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "more-notes", "namespace": "default"],
            "data": ["dump.sql": .string(dump)],
        ], options: WriteOptions())
        _ = try await h.cluster.patch(instance, subresource: nil, type: .merge,
                                      body: ["spec": ["restoreFrom": ["configMap": "more-notes"]]], options: WriteOptions())
        #expect(try await result(h, "mysql_restore") == "restored \(dump.utf8.count) bytes from configmap more-notes")
        #expect(pods.state.withLock { $0.streamed } == Array(dump.utf8))
        let load = pods.commands.first { $0.argv.first == "mysql" }
        #expect(load?.argv.last == "otus_database")
        #expect(load?.pod["metadata"]?["labels"]?["app"] == "mysql-instance")
        await r.stop()
    }

    static func env(_ deployment: JSON, _ name: String) -> String? {
        let env = deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.array ?? []
        return env.first { $0["name"]?.string == name }?["value"]?.string
    }
}

/// The `spec.replicas` values a watched Deployment went through.
final class ReplicaLog: Sendable {
    let values = Mutex<[Int]>([])
}

/// Changes seen by watches, ordered by their objects' resourceVersions.
final class ChangeLog: Sendable {
    let entries = Mutex<[(Int, String)]>([])

    func record(_ object: JSON, _ what: String) {
        let rv = Int(object["metadata"]?["resourceVersion"]?.string ?? "") ?? Int.max
        entries.withLock { $0.append((rv, what)) }
    }

    var sequence: [String] { entries.withLock { $0.sorted { $0.0 < $1.0 }.map(\.1) } }
}

/// Scripted MySQL pods: records every command, plays mysqladmin, mysql and the backup and
/// restore Jobs' scripts, and holds whether a dump exists on the backup volume.
final class ScriptedMySQL: Sendable {
    struct State: Sendable {
        var commands: [PodCommand] = []
        var dumpExists = false
        var rotationFails = false
        var backupFails = false
        var streamed: [UInt8] = []
        var instanceDuringBackup: JSON?
    }

    let state = Mutex(State())

    var commands: [PodCommand] { state.withLock { $0.commands } }

    /// Commands run by the containers of Jobs, by container name (`backup`, `restore`).
    func jobRuns(_ container: String) -> [PodCommand] {
        commands.filter { $0.container == container }
    }

    func runner(cluster: MemoryCluster) -> ScriptedPodCommandRunner {
        ScriptedPodCommandRunner { [self] command, stdin, stdout, stderr in
            state.withLock { $0.commands.append(command) }
            let program = command.argv.first ?? ""
            if command.container == "restore" {
                guard state.withLock({ $0.dumpExists }) else {
                    try await stdout.write(Array("no dump at /backup/mysql-instance-dump.sql: nothing to restore\n".utf8))
                    return 1
                }
                try await stdout.write(Array("restored otus_database\n".utf8))
                return 0
            }
            if command.container == "backup" {
                let ref = ObjectRef(MySQLExampleTests.mysqls, namespace: command.podNamespace, name: MySQLExampleTests.name)
                let instance = try? await cluster.get(ref)
                state.withLock { $0.instanceDuringBackup = instance }
                if state.withLock({ $0.backupFails }) {
                    try await stderr.write(Array("mysqldump: Got error: 2002: \"Can't connect to MySQL server on 'mysql-instance' (115)\" when trying to connect\n".utf8))
                    return 2
                }
                state.withLock { $0.dumpExists = true }
                return 0
            }
            if program == "mysqladmin" {
                guard !state.withLock({ $0.rotationFails }) else {
                    let login = command.argv.first { $0.hasPrefix("--password=") } ?? ""
                    try await stderr.write(Array("mysqladmin: connect to server at '127.0.0.1' failed (\(login))\nerror: 'Access denied for user 'root'@'localhost' (using password: YES)'\n".utf8))
                    return 1
                }
                return 0
            }
            if program == "mysql" {
                let (bytes, _) = try await stdin.readAll()
                state.withLock { $0.streamed = bytes }
                return 0
            }
            return try await ScriptedPodCommandRunner.builtin(command, stdin, stdout, stderr)
        }
    }
}
