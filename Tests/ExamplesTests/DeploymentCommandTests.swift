import Foundation
import JSONValue
import Manifests
import Testing

/// The command line a pod of the generated Deployment runs, put together as the kubelet
/// does from the Dockerfile's ENTRYPOINT/CMD and the container's `command`/`args`, is
/// `yopf run /operator …` once: the binary the image holds, one `run`, the operator
/// folder. scripts/check-image-root runs that same command line in the image's root
/// against a dev-cluster (this test only reads; that script executes).
@Suite struct DeploymentCommandTests {
    /// An exec-form instruction (`ENTRYPOINT ["a", "b"]`) of the Dockerfile's last stage.
    static func instruction(_ name: String) throws -> [String]? {
        let text = try String(contentsOfFile: ExampleHarness.root + "/Dockerfile", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lastStage = lines.lastIndex { $0.hasPrefix("FROM ") } ?? 0
        guard let line = lines[lastStage...].last(where: { $0.hasPrefix(name + " ") }) else { return nil }
        let json = try JSON.parse(String(line.dropFirst(name.count + 1)))
        let words = json.array?.compactMap(\.string)
        return try #require(words, "\(name) is not in exec form: \(line)")
    }

    /// Kubernetes' rule: `command` replaces ENTRYPOINT (and then CMD is ignored), `args`
    /// replaces CMD.
    static func effectiveCommandLine(entrypoint: [String], cmd: [String], command: [String]?, args: [String]?) -> [String] {
        if let command { return command + (args ?? []) }
        return entrypoint + (args ?? cmd)
    }

    @Test func generatedContainerRunsTheOperatorOnce() throws {
        let h = try ExampleHarness(handlers: "handlers/mysql")
        let manifests = DeploymentManifests(operators: [h.loaded], options: .init(image: "registry.example/op:1"))
        let deployment = try #require(manifests.documents.first { $0["kind"] == "Deployment" })
        let container = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?.array?.first)
        let command = container["command"]?.array?.compactMap(\.string)
        let args = container["args"]?.array?.compactMap(\.string)

        let entrypoint = try #require(try Self.instruction("ENTRYPOINT"))
        let cmd = try Self.instruction("CMD") ?? []
        #expect(entrypoint == [DeploymentManifests.binaryPath], "the image's ENTRYPOINT is the binary alone: \(entrypoint)")
        #expect(cmd == ["run", DeploymentManifests.operatorPath], "docker run IMAGE runs the operator: \(cmd)")

        let line = Self.effectiveCommandLine(entrypoint: entrypoint, cmd: cmd, command: command, args: args)
        #expect(line.first == DeploymentManifests.binaryPath)
        #expect(Array(line.dropFirst().prefix(2)) == ["run", DeploymentManifests.operatorPath], "\(line)")
        #expect(line.filter { $0 == "run" }.count == 1, "run appears once: \(line)")
        #expect(line.filter { $0 == DeploymentManifests.operatorPath }.count == 1, "/operator appears once: \(line)")
        // Whatever the image's ENTRYPOINT is, the Deployment's command line is the same.
        #expect(Self.effectiveCommandLine(entrypoint: ["/somewhere/else", "run", "/operator"], cmd: [], command: command, args: args) == line)
    }
}
