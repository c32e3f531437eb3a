import Arguments
import DevCluster
import JSONValue
import KubeMemory
import Platform
import YAMLLoader

/// `yopf dev-cluster`: the in-memory API server on loopback, for kubectl and `yopf run`.
struct DevClusterCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "dev-cluster",
            abstract: "Serve an in-memory Kubernetes API server over HTTP or HTTPS on loopback.",
            discussion: """
                Serves until SIGTERM or SIGINT, then exits 0. Point kubectl at it with the \
                kubeconfig written by --write-kubeconfig: kubectl --kubeconfig FILE get pods

                With --tls (the default with --authorization=rbac) it serves https with a \
                self-signed certificate made at start, which the kubeconfig trusts; kubectl \
                then sends the kubeconfig's token (it sends none over plain http).

                Deployments, StatefulSets and Jobs get pods that run; kubectl exec (WebSocket, \
                v5.channel.k8s.io or v4) and kubectl logs work on them. With --exec=scripted a few \
                commands behave like their namesakes (echo, cat, wc -c, env, sh -c 'exit N'); \
                with --exec=local commands run as local processes with the pod's environment. \
                kubectl logs -f follows a container until it terminates.
                """,
            options: [
                .option(\.listen, "--listen", help: "Where to listen, HOST:PORT (port 0 picks a free port)."),
                .option(\.writeKubeconfig, "--write-kubeconfig", help: "Write a kubeconfig for this server to FILE."),
                .option(\.faults, "--faults", help: "Fault rules to inject (JSON or YAML: {\"faults\": [{\"verb\": \"patch\", \"error\": {\"code\": 429}}]})."),
                .option(\.watchHistory, "--watch-history", help: "How many recent changes watches can resume from."),
                .option(\.exec, "--exec", help: "How pods run commands (kubectl exec, Job and Pod containers): scripted (simulated, the default) or local (real local processes with the pod's env)."),
                .flag(\.verbose, "--verbose", help: "Log every request (method, path, code, duration) to stderr."),
                .option(\.authorization, "--authorization", help: "Who may do what: always-allow (every request, the default) or rbac (bearer tokens: the kubeconfig's admin token or ServiceAccount tokens from the TokenRequest API; Roles, ClusterRoles and bindings decide; requests without credentials are system:anonymous)."),
                .inversion(\.tls, "--tls", help: "Serve https with a self-signed certificate the written kubeconfig trusts (default: on with --authorization=rbac, off otherwise)."),
            ])
    }

    var listen = "127.0.0.1:8080"
    var writeKubeconfig: String?
    var faults: String?
    var watchHistory = 10_000
    var exec = "scripted"
    var verbose = false
    var authorization = "always-allow"
    var tls: Bool?

    func validate() throws {
        _ = try endpoint()
        guard exec == "scripted" || exec == "local" else {
            throw ValidationError("--exec must be scripted or local, got \(exec)")
        }
        guard ["always-allow", "rbac"].contains(authorization.lowercased()) else {
            throw ValidationError("--authorization must be always-allow or rbac, got \(authorization)")
        }
        guard watchHistory > 0 else { throw ValidationError("--watch-history must be at least 1, got \(watchHistory)") }
    }

    /// Splits HOST:PORT; `[::1]:8080` works too.
    func endpoint() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT with a port from 0 to 65535, got \"\(listen)\"")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen needs a host, e.g. 127.0.0.1:\(port)") }
        return (host, port)
    }

    func run() async throws {
        let (host, requestedPort) = try endpoint()
        let cluster = MemoryCluster(configuration: .init(
            historySize: watchHistory, authorization: authorization.lowercased() == "rbac" ? .rbac : .alwaysAllow))
        if let faults {
            let documents: [YAMLDocument]
            do { documents = try YAML.loadFile(atPath: faults) } catch {
                throw DevClusterError.io("cannot read the faults file: \(error)")
            }
            do {
                for document in documents { try cluster.addFaults(from: document.value) }
            } catch {
                throw DevClusterError.io("\(faults): \(error)")
            }
        }
        // Deployments, Jobs and Pods come alive as a kubelet and the controllers would make
        // them, and `kubectl exec` / `kubectl logs` reach their commands.
        let runner: any PodCommandRunner = exec == "local" ? LocalPodCommandRunner() : ScriptedPodCommandRunner()
        let simulator = WorkloadSimulator(cluster: cluster, runner: runner)
        simulator.start()
        cluster.attachPodCommands(simulator)
        let token = Kubeconfig.randomToken()
        let rbac = cluster.authorizationMode == .rbac
        let identity = try (tls ?? rbac) ? TLSIdentity.selfSigned(hosts: [host]) : nil
        let server = DevClusterServer(backend: cluster, token: token, tls: identity, verbose: verbose)
        let port = try await server.start(host: host, port: requestedPort)
        let url = "\(identity == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        if let writeKubeconfig {
            try DevClusterServer.writeKubeconfig(path: writeKubeconfig, server: url, token: token,
                                                 certificateAuthority: identity?.certificatePEM)
        }
        RequestLog.write("yopf dev-cluster: serving on \(url)\(writeKubeconfig.map { ", kubeconfig \($0)" } ?? "")\n")
        if rbac && identity == nil {
            // kubectl drops kubeconfig credentials over plain http: say how to act as someone.
            RequestLog.write("yopf dev-cluster: RBAC on over http: kubectl sends no credentials over http and is system:anonymous (with --as, whom anonymous may impersonate); bearer tokens work with curl and yopf run. Drop --no-tls for https.\n")
        }
        let signal = await ShutdownSignal.wait()
        RequestLog.write("yopf dev-cluster: signal \(signal), shutting down\n")
        try await server.stop()
        await simulator.stop()
    }
}
