import Arguments
import Manifests
import Spec
import Platform
import YAMLLoader

/// `yopf manifests DIR… --image IMG`: the YAML that deploys the operators.
struct ManifestsCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "manifests",
            abstract: "Print the CRDs, ServiceAccount, least-privilege RBAC and Deployment of operators.",
            discussion: """
                The RBAC is derived from the watch and the steps: get/list/watch on the watched \
                resource, patch on its status, what each step does on each kind its templates \
                name. A kind computed by jq cannot be derived: grant it with `rbac:` in the \
                operator file. Pipe the output to `kubectl apply -f -`.
                """,
            arguments: [
                .arguments(\.paths, "paths", required: true, help: "Operator folders or files."),
            ],
            options: [
                .option(\.image, "--image", required: true, help: "The operator's image (FROM yopf, with the handler set at /operator)."),
                .option(\.namespace, "-n", "--namespace", help: "Where the operator runs."),
                .option(\.replicas, "--replicas", help: "Replicas (with leader election)."),
                .flag(\.noLeaderElect, "--no-leader-elect", help: "One replica, no Lease."),
            ])
    }

    var paths: [String] = []
    var image = ""
    var namespace = "yopf-system"
    var replicas = 2
    var noLeaderElect = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one operator folder or file") }
        if replicas < 1 { throw ValidationError("--replicas must be at least 1") }
    }

    func run() throws {
        let (operators, diagnostics) = OperatorLoader.load(paths: paths)
        if !diagnostics.isEmpty {
            for d in diagnostics { printError("\(d)") }
            throw ExitCode(1)
        }
        let manifests = DeploymentManifests(operators: operators, options: .init(
            image: image, namespace: namespace, replicas: replicas, leaderElection: !noLeaderElect))
        if !manifests.gaps.isEmpty {
            let hasExtraRules = operators.contains { !$0.spec.rbac.isEmpty }
            for gap in manifests.gaps { printError("\(hasExtraRules ? "warning" : "error"): \(gap)") }
            if !hasExtraRules {
                printError("add the rules these steps need under `rbac:` in the operator file (yopf does not grant `*`)")
                throw ExitCode(1)
            }
        }
        print(YAML.emit(documents: manifests.documents), terminator: "")
    }
}

func printError(_ line: String) {
    Output.error(line)
}

