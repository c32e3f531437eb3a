import Arguments
import HandlerPreview
import JSONValue
import Kube
import KubeHTTP
import Platform
import Spec
import YAMLLoader

/// `yopf plan DIR --object CR.yaml`: which handlers would run for an object and what
/// their steps would do, rendered — without a cluster, or with `--cluster` against one
/// for reads and server-side dry runs (never a write). The work is HandlerPreview's; this
/// file reads the files, finds the cluster, prints the plan and sets the exit code.
struct PlanCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "plan",
            abstract: "Show which handlers would run for an object, and each of their steps rendered.",
            discussion: """
                Without --event the cause is found as the runtime finds it: an update when --old \
                is given, else from the object's status.yopf (create when it was never handled). \
                A step whose input is an earlier step's output shows <output of step NAME>. With \
                --cluster, get and list steps really run, and every write is sent as a dry run \
                (dryRun=All) and shown as a diff against the object as it is. Values of \
                secret-like keys are shown; --redact hides them. Exit code 0: the plan has no \
                problems; 1: a file, the object or a step has a problem.
                """,
            arguments: [
                .argument(\.path, "path", help: "The operator: a folder holding operator.yaml, or an operator file."),
            ],
            options: [
                .option(\.object, "--object", required: true, help: "The custom resource (YAML or JSON) the handlers would see."),
                .option(\.old, "--old", help: "The resource before the change (an update)."),
                .option(\.event, "--event", help: "What happened: \(PreviewEvent.forms). Default: update with --old, else as the object's status.yopf says (create when never handled)."),
                .flag(\.cluster, "--cluster", help: "Read from the configured cluster and dry-run the writes there (nothing is written)."),
                .option(\.kubeconfig, "--kubeconfig", help: "With --cluster: the kubeconfig file to use."),
                .option(\.context, "--context", help: "With --cluster: the kubeconfig context to use."),
                .flag(\.redact, "--redact", help: "Show values of secret-like keys (password, token, …) and Secret data as ***."),
            ])
    }

    var path = ""
    var object = ""
    var old: String?
    var event: String?
    var cluster = false
    var kubeconfig: String?
    var context: String?
    var redact = false

    func validate() throws {
        if let event, PreviewEvent(event) == nil {
            throw ValidationError("--event must be one of \(PreviewEvent.forms), got \(event)")
        }
        if !cluster && (kubeconfig != nil || context != nil) {
            throw ValidationError("--kubeconfig and --context are for --cluster")
        }
    }

    func run() async throws {
        do {
            let report = try await plan()
            print(report.text, terminator: "")
            if report.problems > 0 { throw ExitCode(1) }
        } catch let e as PreviewError {
            Output.error("yopf plan: \(e.message)")
            throw ExitCode(1)
        }
    }

    func plan() async throws -> PreviewReport {
        let (operators, diagnostics) = OperatorLoader.load(paths: [path])
        guard diagnostics.isEmpty else {
            throw PreviewError(diagnostics.map { "\($0)" }.joined(separator: "\n") + "\n(yopf check \(path) reports the same)")
        }
        guard operators.count == 1, let loaded = operators.first else {
            throw PreviewError("\(path) holds \(operators.count) operators; name the folder or file of one")
        }
        let request = HandlerPreviewer.Request(
            loaded: loaded, object: try Self.readObject(object, flag: "--object"), objectFile: object,
            old: try old.map { try Self.readObject($0, flag: "--old") }, oldFile: old ?? "", event: event.flatMap(PreviewEvent.init), redact: redact)
        if cluster {
            return try await HandlerPreviewer.preview(request, source: .cluster(try connect()))
        }
        return try await HandlerPreviewer.preview(request, source: .offline)
    }

    /// One object from a YAML or JSON file.
    static func readObject(_ file: String, flag: String) throws(PreviewError) -> JSON {
        guard Files.exists(file) else { throw PreviewError("\(flag) \(file): no such file") }
        let documents: [YAMLDocument]
        do {
            documents = try YAML.loadFile(atPath: file)
        } catch {
            throw PreviewError("\(flag) \(error)")
        }
        let objects = documents.map(\.value).filter { !$0.isNull }
        guard objects.count == 1 else {
            throw PreviewError("\(flag) \(file): expected one object, found \(objects.count) documents")
        }
        return objects[0]
    }

    /// The configured cluster, found as `yopf run` finds it.
    func connect() throws -> any KubeAPI {
        guard KubeConfig.isConfigured(explicitPath: kubeconfig) else {
            throw PreviewError("--cluster: no cluster is configured (give --kubeconfig, set KUBECONFIG, or write ~/.kube/config)")
        }
        do {
            let connection = try KubeConfig.load(explicitPath: kubeconfig, context: context)
            return KubeClient(endpoint: connection.endpoint, credentials: connection.credentials)
        } catch let e as KubeConfigError {
            throw PreviewError("--cluster: \(e.message)")
        } catch {
            throw PreviewError("--cluster: \(error)")
        }
    }
}
