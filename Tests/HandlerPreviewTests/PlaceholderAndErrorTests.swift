import HandlerPreview
import JSONValue
import Testing

/// What a plan cannot know stands as a placeholder and the rest still renders; what
/// cannot render is reported at its step, with the jq error and where the expression is
/// written, and the plan goes on.
@Suite struct PlaceholderAndErrorTests {
    static let header = """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata: {name: widgets}
        spec:
          watch: {group: example.com, version: v1, plural: widgets}
          crd: {names: {kind: Widget}, versions: [{name: v1}]}
          handlers:

        """

    static let widget: JSON = [
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": ["name": "w1", "namespace": "ns1", "uid": "11111111-2222-4333-8444-555555555555"],
        "spec": ["size": 3, "color": "blue", "token": "s3cr3t-t0ken"],
    ]

    @Test func outputsOfEarlierStepsArePlaceholdersAndTheRestRenders() async throws {
        let loaded = try PreviewSupport.load(yaml: Self.header + """
                - id: make
                  on: create
                  steps:
                    - name: probe
                      exec:
                        pod: {name: '${{ .metadata.name }}-0'}
                        command: [cat, /etc/version]
                    - name: cm
                      apply:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: '${{ .metadata.name }}-info'}
                        data:
                          version: '${{ $steps.probe.stdout }}'
                          color: '${{ .spec.color }}'
                    - name: mark
                      status: {size: '${{ .spec.size }}'}
                    - if: $steps.mark.size > 2
                      event: {reason: Big, message: 'size ${{ $steps.mark.size }} with ${{ .spec.token }}'}
                    - if: $steps.probe.exitCode == 0
                      scale: {apiVersion: apps/v1, kind: Deployment, name: '${{ .metadata.name }}', replicas: '${{ $steps.probe.stdout | tonumber }}'}
                  result: '{size: $steps.mark.size, version: $steps.probe.stdout}'
            """)
        let report = try await PreviewSupport.plan(loaded, object: Self.widget)
        #expect(report.problems == 0, "\(report.text)")
        let make = try #require(report.plan.handler("make"))
        #expect(make.step("probe")?["exec"]?["pod"] == "w1-0")
        let cm = try #require(make.step("cm"))
        #expect(cm["apply"]?[0]?["data"] == ["version": "<output of step probe>", "color": "blue"])
        #expect(cm["apply"]?[0]?["metadata"]?["namespace"] == "ns1")
        #expect(cm["placeholders"]?.string?.contains("<output of step probe>") == true)
        // A status step's output is known: later steps use it.
        #expect(make.step("mark")?["status"] == ["size": 3])
        let event = try #require(make.step("3-event"))
        #expect(event["if"] == "`$steps.mark.size > 2` is true")
        // The Event is posted as the runtime posts it: secret values redacted.
        #expect(event["event"]?["message"] == "size 3 with ***")
        // An `if` on an unknown output: shown as if it ran; a value that must be a number
        // but is a placeholder cannot render, which is no problem of the plan.
        let scale = try #require(make.step("4-scale"))
        #expect(scale["if"]?.string?.contains("depends on <output of step probe>") == true)
        #expect(scale["cannotRender"]?.string?.contains("replicas must be a whole number") == true)
        #expect(make["result"] == "<output of step probe>")
    }

    @Test func aTemplateThatFailsIsReportedAtItsStepAndThePlanGoesOn() async throws {
        let loaded = try PreviewSupport.load(yaml: Self.header + """
                - id: make
                  on: create
                  steps:
                    - apply: templates/broken.yaml
                    - status: {ok: '${{ .spec.color }}'}
            """, templates: ["templates/broken.yaml": """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: '${{ .metadata.name }}'}
                data:
                  n: '${{ .spec.size + "x" }}'
                """])
        let report = try await PreviewSupport.plan(loaded, object: Self.widget)
        #expect(report.problems == 1)
        let make = try #require(report.plan.handler("make"))
        let error = try #require(make.step("0-apply")?["error"]?.string)
        #expect(error.contains("jq expression `.spec.size + \"x\"` failed"), "\(error)")
        #expect(error.contains("cannot be added"), "\(error)")
        #expect(error.contains("templates/broken.yaml:5:"), "\(error)")
        #expect(make.step("1-status")?["status"] == ["ok": "blue"])
        #expect(report.text.contains("1 problem found"))
    }

    @Test func aJobWithoutANameGetsTheNameTheRuntimeGivesIt() async throws {
        let yaml = Self.header + """
                - id: migrate
                  on: update
                  steps:
                    - name: schema
                      job:
                        apiVersion: batch/v1
                        kind: Job
                        spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: 'migrate:${{ .spec.size }}'}]}}}
            """
        let loaded = try PreviewSupport.load(yaml: yaml)
        var old = Self.widget
        old.set(2, at: ["spec", "size"])
        let first = try await PreviewSupport.plan(loaded, object: Self.widget, old: old)
        let job = try #require(first.plan.handler("migrate")?.step("schema")?["job"])
        let name = try #require(job["metadata"]?["name"]?.string)
        // `<resource>-<step>-<8 hex of uid, handler, step>`.
        #expect(name.hasPrefix("w1-schema-") && name.count == "w1-schema-".count + 8, "\(name)")
        #expect(job["metadata"]?["annotations"]?["yopf.dev/created-by"] == "migrate/schema")
        #expect(job["metadata"]?["labels"]?["yopf.dev/operator"] == "widgets")
        // The same resource gets the same name; another uid another.
        let again = try await PreviewSupport.plan(loaded, object: Self.widget, old: old)
        #expect(again.plan.handler("migrate")?.step("schema")?["job"]?["metadata"]?["name"]?.string == name)
        var other = Self.widget
        other.set("99999999-2222-4333-8444-555555555555", at: ["metadata", "uid"])
        let third = try await PreviewSupport.plan(loaded, object: other, old: old)
        #expect(third.plan.handler("migrate")?.step("schema")?["job"]?["metadata"]?["name"]?.string != name)
        #expect(first.plan["changes"] == ["spec.size": "2 → 3"])
    }

    @Test func aFailStepEndsTheHandlerAndAFalseFilterStopsEverything() async throws {
        let loaded = try PreviewSupport.load(yaml: """
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: widgets}
            spec:
              watch: {group: example.com, version: v1, plural: widgets, filter: '.spec.color != "red"'}
              crd: {names: {kind: Widget}, versions: [{name: v1}]}
              handlers:
                - id: make
                  on: create
                  steps:
                    - if: .spec.size > 2
                      fail: {message: 'too big: ${{ .spec.size }}', permanent: true}
                    - status: {done: true}
            """)
        let report = try await PreviewSupport.plan(loaded, object: Self.widget)
        let make = try #require(report.plan.handler("make"))
        #expect(make.step("0-fail")?["fail"] == ["message": "too big: 3", "permanent": true])
        #expect(make.step("1-status")?["notReached"] == "the handler fails at step 0-fail")
        #expect(report.plan["filter"] == "`.spec.color != \"red\"` is true")

        var red = Self.widget
        red.set("red", at: ["spec", "color"])
        let ignored = try await PreviewSupport.plan(loaded, object: red)
        #expect(ignored.plan.handler("make")?["runs"] == false)
        #expect(ignored.plan.handler("make")?["why"]?.string?.contains("the operator ignores this object") == true)
    }

    @Test func badInputIsRefusedWithWhatToDo() async throws {
        let loaded = try PreviewSupport.load("handlers/mysql")
        let tenant = try PreviewSupport.object("handlers/certificates/samples/tenant.yaml")
        await #expect(throws: PreviewError.self) { _ = try await PreviewSupport.plan(loaded, object: tenant) }
        do { _ = try await PreviewSupport.plan(loaded, object: tenant) } catch {
            #expect("\(error)" == "object.yaml: the object is a yopf.dev/v1 Tenant, but \(loaded.file) watches otus.homework/v1 MySQL")
        }
        let mysql = try PreviewSupport.object("handlers/mysql/samples/mysql.yaml")
        do {
            _ = try await PreviewSupport.plan(loaded, object: mysql, event: .update)
            Issue.record("an update without --old must be refused")
        } catch {
            #expect("\(error)".contains("--event update needs --old OLD.yaml"))
        }
        do {
            _ = try await PreviewSupport.plan(loaded, object: mysql, old: mysql, event: .create)
            Issue.record("--old with --event create must be refused")
        } catch {
            #expect("\(error)".contains("--old is for updates"))
        }
        do {
            _ = try await PreviewSupport.plan(loaded, object: ["kind": "MySQL"])
            Issue.record("an object without apiVersion must be refused")
        } catch {
            #expect("\(error)" == "object.yaml: the object has no apiVersion or kind")
        }
    }

    @Test func theObjectsOwnStatusDecidesTheCause() async throws {
        let loaded = try PreviewSupport.load("handlers/mysql")
        var handled = try PreviewSupport.object("examples/mysql/plan/a.yaml")
        // As `kubectl get -o yaml` shows a resource yopf has handled: the diff base in status.
        handled["status"] = ["yopf": ["handled": [
            "spec": handled["spec"] ?? .null, "labels": [:], "annotations": [:],
        ], "lastCycle": 1]]
        let same = try await PreviewSupport.plan(loaded, object: handled)
        #expect(same.plan["cause"] == "none")

        var edited = handled
        edited.set("n3w-s3cret", at: ["spec", "password"])
        let update = try await PreviewSupport.plan(loaded, object: edited)
        #expect(update.plan["cause"] == "update")
        #expect(update.plan.handler("mysql_on_update")?.step("rotate")?["exec"]?["command"]?[2] == "--password=otuspassword")
    }
}
