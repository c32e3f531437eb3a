import JSONValue
import Kube
import KubeMemory
import Lifecycle
import Testing

/// A CRD whose schema would prune `status.yopf` is refused at start, with what to change.
@Suite struct StartupCheckTests {
    static let operatorYAML = """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata:
          name: widgets
        spec:
          watch: {group: test.yopf.dev, version: v1, plural: widgets, kind: Widget}
          crd:
            names: {kind: Widget}
            versions: [{name: v1}]
          handlers:
            - id: make
              on: create
              steps:
                - status: {made: true}
        """

    /// The operator's CRD with `status` of its schema replaced (nil: no `status` at all).
    func harness(status: JSON?) async throws -> RuntimeHarness {
        let h = try await RuntimeHarness(yaml: Self.operatorYAML, installCRD: false)
        var crd = try #require(h.loaded.spec.crdManifest())
        let schema: JSON = [
            "type": "object",
            "properties": ["spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
        ]
        var version = try #require(crd["spec"]?["versions"]?[0])
        var s = schema
        if let status { s.set(status, at: ["properties", "status"]) }
        version["schema"] = ["openAPIV3Schema": s]
        crd.set([version], at: ["spec", "versions"])
        _ = try await h.cluster.create(RuntimeHarness.crds, namespace: nil, body: crd)
        return h
    }

    func startupError(_ h: RuntimeHarness) async -> StartupError? {
        let runner = h.start().runner
        do {
            _ = try await runner.resolveResource()
            return nil
        } catch let e as StartupError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func statusWithoutPreserveUnknownFieldsIsRefused() async throws {
        let h = try await harness(status: ["type": "object", "properties": ["phase": ["type": "string"]]])
        let error = try #require(await startupError(h))
        #expect(error.message.contains("status.yopf"))
        #expect(error.message.contains("x-kubernetes-preserve-unknown-fields: true"))
        #expect(error.message.contains("widgets.test.yopf.dev"))
    }

    @Test func schemaWithoutStatusIsRefused() async throws {
        let h = try await harness(status: nil)
        let error = try #require(await startupError(h))
        #expect(error.message.contains("no `status`"))
    }

    @Test func runFailsAtStartWithTheSameError() async throws {
        let h = try await harness(status: ["type": "object", "properties": ["phase": ["type": "string"]]])
        let op = h.start()
        await #expect(throws: StartupError.self) { try await op.task.value }
    }

    @Test(arguments: [
        ["type": "object", "x-kubernetes-preserve-unknown-fields": true] as JSON,
        ["type": "object", "properties": ["yopf": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]] as JSON,
    ])
    func keptStatusIsAccepted(_ status: JSON) async throws {
        let h = try await harness(status: status)
        #expect(await startupError(h) == nil)
    }

    @Test func theOperatorsOwnCRDIsAccepted() async throws {
        let h = try await RuntimeHarness(yaml: Self.operatorYAML)
        #expect(await startupError(h) == nil)
    }
}
