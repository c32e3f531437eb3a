import HandlerPreview
import JSONValue
import Testing

/// `yopf plan` on the shipped MySQL operator: the acceptance case (password
/// rotation shows the mysqladmin command with both passwords and leaves the create
/// handler out), redaction, and the create and delete handlers' Jobs.
@Suite struct MySQLPlanTests {
    static let handlers = "handlers/mysql"

    @Test func passwordRotationShowsTheCommandWithBothPasswords() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(
            loaded, object: try PreviewSupport.object("examples/mysql/plan/b.yaml"),
            old: try PreviewSupport.object("examples/mysql/plan/a.yaml"), event: .update)
        let plan = report.plan
        #expect(report.problems == 0, "\(report.text)")
        #expect(plan["cause"] == "update")
        #expect(plan["changes"] == ["spec.password": "otuspassword → n3w-s3cret"])
        #expect(plan.handler("mysql_on_create") == nil, "only handlers that react to an update are listed")
        #expect(plan.handler("mysql_on_delete") == nil)

        let update = try #require(plan.handler("mysql_on_update"))
        #expect(update["runs"] == true)
        #expect(update["why"] == "on: update; field spec.password changed")
        let rotate = try #require(update.step("rotate"))
        #expect(rotate["exec"]?["command"] == [
            "mysqladmin", "--user=root", "--password=otuspassword", "--host=127.0.0.1", "--port=3306", "password", "n3w-s3cret",
        ])
        #expect(rotate["exec"]?["pod"]?["selector"] == "app=mysql-instance")
        #expect(rotate["exec"]?["container"] == "mysql")
        #expect(rotate["exec"]?["namespace"] == "default")

        // The server's Deployment gets the new password, owned by the MySQL resource.
        let apply = try #require(update.step("1-apply")?["apply"]?.array)
        #expect(apply.compactMap { $0["kind"]?.string } == ["PersistentVolume", "PersistentVolumeClaim", "Service", "Deployment"])
        let deployment = try #require(apply.last)
        #expect(deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?[0] == ["name": "MYSQL_ROOT_PASSWORD", "value": "n3w-s3cret"])
        #expect(deployment["metadata"]?["namespace"] == "default")
        #expect(deployment["metadata"]?["labels"]?["yopf.dev/operator"] == "mysql-operator")
        #expect(deployment["metadata"]?["ownerReferences"] == [[
            "apiVersion": "otus.homework/v1", "kind": "MySQL", "name": "mysql-instance", "uid": "<uid>",
            "controller": true, "blockOwnerDeletion": true,
        ]])
        // The PersistentVolume is cluster-scoped: owner labels instead of a reference.
        #expect(apply[0]["metadata"]?["ownerReferences"] == nil)
        #expect(apply[0]["metadata"]?["labels"]?["yopf.dev/owner-uid"] == "<uid>")
        #expect(apply[0]["metadata"]?["namespace"] == nil)

        #expect(update.step("2-scale")?["scale"] == ["apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "mysql-instance",
                                                     "replicas": 0, "wait": "until that many replicas are ready"])
        #expect(update.step("3-scale")?["scale"]?["replicas"] == 1)
        #expect(update["result"] == ["message": "password updated"])

        let restore = try #require(plan.handler("mysql_restore"))
        #expect(restore["runs"] == false)
        #expect(restore["why"] == "on: update; field spec.restoreFrom did not change")

        // The text a person reads.
        #expect(report.text.contains("- --password=otuspassword"))
        #expect(report.text.contains("- n3w-s3cret"))
        #expect(report.text.contains("add --redact before sharing it"))
    }

    @Test func withoutAnEventTheOldFileMakesAnUpdate() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(
            loaded, object: try PreviewSupport.object("examples/mysql/plan/b.yaml"), old: try PreviewSupport.object("examples/mysql/plan/a.yaml"))
        #expect(report.plan["cause"] == "update")
        #expect(report.plan.handler("mysql_on_update")?["runs"] == true)
    }

    @Test func redactHidesBothPasswordsEverywhere() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(
            loaded, object: try PreviewSupport.object("examples/mysql/plan/b.yaml"),
            old: try PreviewSupport.object("examples/mysql/plan/a.yaml"), event: .update, redact: true)
        let rotate = try #require(report.plan.handler("mysql_on_update")?.step("rotate"))
        #expect(rotate["exec"]?["command"]?[2] == "--password=***")
        #expect(rotate["exec"]?["command"]?[6] == "***")
        #expect(!report.text.contains("otuspassword"))
        #expect(!report.text.contains("n3w-s3cret"))
        #expect(report.text.contains("shown as ***"))
    }

    @Test func unchangedObjectsMakeNoUpdate() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let a = try PreviewSupport.object("examples/mysql/plan/a.yaml")
        let report = try await PreviewSupport.plan(loaded, object: a, old: a)
        #expect(report.plan["cause"] == "none")
        #expect(report.plan["handlers"]?.string?.contains("same spec, labels and annotations") == true)
    }

    @Test func createRendersTheRestoreJobAndLeavesItsOutcomeOpen() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        var object = try PreviewSupport.object("handlers/mysql/samples/mysql.yaml")
        object.set("0a1b2c3d-0000-4000-8000-000000000001", at: ["metadata", "uid"])
        let report = try await PreviewSupport.plan(loaded, object: object)
        #expect(report.problems == 0, "\(report.text)")
        #expect(report.plan["cause"] == "create")
        let create = try #require(report.plan.handler("mysql_on_create"))
        #expect(create["runs"] == true)
        let restore = try #require(create.step("restore"))
        let job = try #require(restore["job"])
        #expect(job["metadata"]?["name"] == "restore-mysql-instance-job")
        #expect(job["metadata"]?["annotations"]?["yopf.dev/created-by"] == "mysql_on_create/restore")
        #expect(job["metadata"]?["ownerReferences"]?[0]?["uid"] == "0a1b2c3d-0000-4000-8000-000000000001")
        #expect(restore["onError"] != nil)
        // The backup volume is kept across deletes: no owner link.
        let keep = try #require(create.step("1-apply"))
        #expect(keep["ifExists"] != nil)
        #expect(keep["apply"]?[0]?["metadata"]?["labels"]?["yopf.dev/owner-uid"] == nil)
        #expect(create.step("2-wait")?["wait"]?["until"] == "condition Available is True")
        // The message depends on how the restore Job ends: only a run knows.
        #expect(create["result"] == "<output of step restore>")
    }

    @Test func theNightlyScheduleRendersItsDumpJob() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/mysql/samples/mysql.yaml"), event: .schedule("nightly_backup"))
        #expect(report.problems == 0, "\(report.text)")
        #expect(report.plan["cause"] == "schedule nightly_backup")
        let handlers = try #require(report.plan["handlers"]?.array)
        #expect(handlers.count == 1)
        #expect(handlers[0]["why"] == "on: schedule; when `.spec.nightlyBackup != false` is true")
        let dump = try #require(handlers[0].step("dump"))
        #expect(dump["job"]?["kind"] == "Job")
        #expect(dump["job"]?["metadata"]?["annotations"]?["yopf.dev/created-by"] == "nightly_backup/dump")
        #expect(dump["cleanup"] != nil)
        #expect(handlers[0]["result"] == "<output of step dump>")
    }

    @Test func deleteRendersTheBackupJob() async throws {
        let loaded = try PreviewSupport.load(Self.handlers)
        let report = try await PreviewSupport.plan(loaded, object: try PreviewSupport.object("handlers/mysql/samples/mysql.yaml"), event: .delete)
        let delete = try #require(report.plan.handler("mysql_on_delete"))
        let job = try #require(delete.step("backup")?["job"])
        #expect(job["metadata"]?["name"] == "backup-mysql-instance-job")
        let script = job["spec"]?["template"]?["spec"]?["containers"]?[0]?["command"]?[2]?.string ?? ""
        #expect(script.contains("--single-transaction 'otus_database'"))
        #expect(report.plan.handler("mysql_on_update") == nil)
    }
}
