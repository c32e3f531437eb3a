import JSONValue
import Spec
import Testing

/// What the loader builds: the typed model, defaults, and expression IDs.
@Suite struct ModelTests {
    static let yaml = """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata:
          name: demo
        spec:
          watch:
            group: example.com
            version: v1
            kind: Demo
            namespaced: true
            selector:
              matchLabels: {team: db}
              matchExpressions: [{key: tier, operator: In, values: [a, b]}, {key: legacy, operator: DoesNotExist}]
            filter: .spec.managed != false
          serviceAccount: .spec.tenant
          settings: {concurrency: 4, finalizer: example.com/cleanup}
          rbac:
            - {apiGroups: [""], resources: [secrets], verbs: [get]}
          handlers:
            - id: provision
              on: create
              when: .spec.size > 0
              retries: 3
              backoff: {initial: 2s, max: 1m, factor: 1.5}
              timeout: 1h30m
              steps:
                - apply: templates/configmap.yaml
                  ifExists: keep
                - name: app
                  apply: templates/deployment.yaml
                - name: migrate
                  job: templates/job.yaml
                  wait: false
                  cleanup: true
                  onError: continue
                  timeout: 10m
                - name: dump
                  exec:
                    pod: {selector: {app: '${{ .metadata.name }}'}}
                    container: db
                    command: [mysqldump, --all, 3]
                    expectExitCodes: [0, 2]
                - stream:
                    pod: '${{ .metadata.name }}-replica'
                    command: [mysql]
                    stdin: {fromExec: {pod: primary-0, command: [mysqldump]}}
                - scale: {kind: Deployment, name: '${{ .metadata.name }}', replicas: '${{ .spec.replicas }}', wait: true}
                - wait: {apiVersion: apps/v1, kind: Deployment, name: x, condition: Available}
                - patch: {merge: {metadata: {labels: {done: 'yes'}}}}
                - forEach: .spec.users
                  if: $item.enabled
                  create: {apiVersion: v1, kind: Secret, metadata: {name: '${{ $item.name }}'}}
                  ifExists: keep
                - event: {type: Warning, reason: Provisioned, message: 'made ${{ .metadata.name }}'}
                - run: {command: [./hook.sh], stdin: '{object: .}', env: {MODE: fast}}
                - fail: {message: stop, permanent: true}
              result: '{app: $steps.app.ok, dump: $steps.dump.stdout}'
            - id: rotate
              "on": update
              field: .spec.password
              steps: []
            - id: check
              on: timer
              interval: 10m
              initialDelay: 30s
        """

    static func loaded() throws -> LoadedOperator {
        let result = Fixtures.load(yaml)
        #expect(result.diagnostics.map(\.description) == [])
        return try #require(result.loaded)
    }

    @Test func watchAndOperatorSettings() throws {
        let spec = try Self.loaded().spec
        #expect(spec.name == "demo")
        #expect(spec.watch.apiVersion == "example.com/v1")
        #expect(spec.watch.kind == "Demo")
        #expect(spec.watch.plural == nil)
        #expect(spec.watch.namespaced == true)
        #expect(spec.watch.selector?.queryString == "team=db,tier in (a,b),!legacy")
        #expect(spec.watch.filter?.source == ".spec.managed != false")
        #expect(spec.serviceAccount?.source == ".spec.tenant")
        #expect(spec.settings == OperatorSettings(concurrency: 4, finalizer: "example.com/cleanup"))
        #expect(spec.rbac == [RBACRule(apiGroups: [""], resources: ["secrets"], verbs: ["get"])])
        #expect(spec.needsFinalizer == false)
    }

    @Test func handlerFieldsAndDefaults() throws {
        let handlers = try Self.loaded().spec.handlers
        #expect(handlers.map(\.id) == ["provision", "rotate", "check"])
        #expect(handlers.map(\.on) == [.create, .update, .timer])
        let provision = handlers[0]
        #expect(provision.retries == 3)
        #expect(provision.backoff == BackoffSpec(initial: .seconds(2), max: .seconds(60), factor: 1.5))
        #expect(provision.timeout == .seconds(5400))
        #expect(provision.when?.source == ".spec.size > 0")
        #expect(provision.line == 20 && provision.column == 7)
        #expect(handlers[1].field == ["spec", "password"])
        #expect(handlers[1].retries == nil)
        #expect(handlers[1].backoff == BackoffSpec())
        #expect(handlers[2].interval == .seconds(600))
        #expect(handlers[2].initialDelay == .seconds(30))
    }

    @Test func stepKindsAndTheirOptions() throws {
        let loaded = try Self.loaded()
        let steps = loaded.spec.handlers[0].steps
        #expect(steps.map(\.kind) == [.apply, .apply, .job, .exec, .stream, .scale, .wait, .patch, .create, .event, .run, .fail])
        #expect(steps.map(\.index) == Array(0..<12))
        #expect(steps[0].displayName == "0-apply")
        #expect(steps[1].displayName == "app")

        guard case .apply(let apply) = steps[0].action else { Issue.record("not apply"); return }
        #expect(apply.source == .file("templates/configmap.yaml"))
        #expect(apply.ifExists == .keep)
        #expect(apply.manifests.map { $0.value["kind"]?.string } == ["ConfigMap", "Secret"])

        guard case .job(let job) = steps[2].action else { Issue.record("not job"); return }
        #expect(job.wait == false && job.cleanup == true)
        #expect(steps[2].onError == .continue)
        #expect(steps[2].timeout == .seconds(600))
        #expect(job.manifest.value["kind"] == "Job")

        guard case .exec(let exec) = steps[3].action else { Issue.record("not exec"); return }
        guard case .labels(let labels) = exec.pod else { Issue.record("not a selector"); return }
        #expect(labels.template.expressions == [".metadata.name"])
        #expect(exec.container?.constantString == "db")
        #expect(exec.command.value == ["mysqldump", "--all", "3"])
        #expect(exec.command.isConstant)
        #expect(exec.expectExitCodes == [0, 2])

        guard case .stream(let stream) = steps[4].action, case .fromExec(let source) = stream.stdin,
            case .name(let pod) = stream.exec.pod
        else { Issue.record("not a stream from exec"); return }
        #expect(pod.template.expressions == [".metadata.name"])
        #expect(source.command.value == ["mysqldump"])

        guard case .scale(let scale) = steps[5].action else { Issue.record("not scale"); return }
        #expect(scale.target.kind == "Deployment" && scale.target.apiVersion == nil)
        #expect(scale.replicas.template.expressions == [".spec.replicas"])
        #expect(scale.wait)

        guard case .wait(let wait) = steps[6].action, case .condition(let condition) = wait.until else {
            Issue.record("not a wait on a condition"); return
        }
        #expect(condition == "Available" && wait.target.apiVersion == "apps/v1")

        guard case .patch(let patch) = steps[7].action, case .merge(let merge) = patch.body else {
            Issue.record("not a merge patch"); return
        }
        #expect(patch.target == nil)
        #expect(merge.value == ["metadata": ["labels": ["done": "yes"]]])

        #expect(steps[8].forEach?.source == ".spec.users")
        #expect(steps[8].condition?.source == "$item.enabled")
        guard case .create(let create) = steps[8].action else { Issue.record("not create"); return }
        #expect(create.source == .inline && create.ifExists == .keep)

        guard case .event(let event) = steps[9].action else { Issue.record("not event"); return }
        #expect(event.type == .warning && event.reason == "Provisioned")

        guard case .run(let run) = steps[10].action else { Issue.record("not run"); return }
        #expect(run.stdin?.source == "{object: .}")
        #expect(run.env?.value == ["MODE": "fast"])

        guard case .fail(let fail) = steps[11].action else { Issue.record("not fail"); return }
        #expect(fail.permanent && fail.message.constantString == "stop")
    }

    @Test func everyExpressionHasADenseIdAndItsPlace() throws {
        let loaded = try Self.loaded()
        #expect(loaded.expressions.map(\.id.index) == Array(0..<loaded.expressions.count))
        #expect(loaded.program.expressions == loaded.expressions.map(\.source))
        // The watch filter comes first, at its place in the file.
        let filter = try #require(loaded.spec.watch.filter)
        #expect(filter.id == ExpressionID(0))
        #expect(loaded.expressions[0].file == "op.yaml")
        #expect(loaded.expressions[0].line == 14 && loaded.expressions[0].column == 13)
        // Template file expressions point into the template file.
        let configmap = try #require(loaded.template("templates/configmap.yaml"))
        let first = try #require(configmap.documents.first?.expressionIDs.first)
        let site = loaded.expressions[first.index]
        #expect(site.file == Fixtures.path("inline/templates/configmap.yaml"))
        #expect(site.source == ".metadata.name")
        #expect(site.line == 4 && site.column == 14)
        // A template's IDs are in the order of its expressions.
        let secret = configmap.documents[1]
        #expect(secret.expressionIDs.map { loaded.program.expressions[$0.index] } == secret.template.expressions)
        #expect(loaded.summary == "op.yaml: ok (3 handlers, 12 steps, \(loaded.expressions.count) expressions)")
    }

    @Test func theKeyOnWorksPlainOrQuoted() throws {
        // YAML 1.1 reads a plain `on` key as true; the loader takes it back.
        let handlers = try Self.loaded().spec.handlers
        #expect(handlers[0].on == .create)
        #expect(handlers[1].on == .update)
    }
}

@Suite struct DurationTests {
    @Test func parsesUnitsInOrder() {
        #expect(Durations.parse("30s") == .seconds(30))
        #expect(Durations.parse("10m") == .seconds(600))
        #expect(Durations.parse("1h30m") == .seconds(5400))
        #expect(Durations.parse("1h2m3s") == .seconds(3723))
        #expect(Durations.parse("250ms") == .milliseconds(250))
        #expect(Durations.parse("1s500ms") == .milliseconds(1500))
    }

    @Test func refusesWhatIsNotADuration() {
        for text in ["", "30", "s", "10 m", "1m1h", "1.5h", "10min", "-5s", "1h1h", "99999999999999999999h"] {
            #expect(Durations.parse(text) == nil, "\(text)")
        }
    }

    @Test func formatsBack() {
        #expect(Durations.format(.seconds(5400)) == "1h30m")
        #expect(Durations.format(.milliseconds(1500)) == "1s500ms")
        #expect(Durations.format(.zero) == "0s")
    }
}

@Suite struct LabelSelectorTests {
    @Test func readsItsJSONForm() {
        let json: JSON = ["matchLabels": ["app": "db"], "matchExpressions": [["key": "tier", "operator": "NotIn", "values": ["x"]]]]
        #expect(LabelSelector(json: json)?.queryString == "app=db,tier notin (x)")
        #expect(LabelSelector(json: ["matchLabels": ["app": 1]]) == nil)
        #expect(LabelSelector(json: "app=db") == nil)
    }
}
