import JSONValue
import Spec
import Testing

@Suite struct FixtureTests {
    @Test func mysqlFixtureChecksClean() throws {
        let result = OperatorLoader.loadFile(Fixtures.path("mysql/operator.yaml"))
        #expect(result.diagnostics.map(\.description) == [])
        let loaded = try #require(result.loaded)
        #expect(loaded.spec.name == "mysql-operator")
        #expect(loaded.spec.handlers.map(\.id) == ["mysql_on_create", "mysql_on_update", "mysql_on_delete"])
        #expect(loaded.spec.stepCount == 8)
        #expect(loaded.templates.map(\.path) == [
            "templates/mysql.yaml", "templates/backup-volume.yaml", "templates/restore-job.yaml", "templates/backup-job.yaml",
        ])
        #expect(loaded.template("templates/mysql.yaml")?.documents.count == 4)
        #expect(loaded.expressions.count == loaded.program.expressions.count)
        print(loaded.summary)
    }
}
