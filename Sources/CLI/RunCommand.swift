import Arguments
import Glibc
import DevCluster
import JSONValue
import Kube
import KubeHTTP
import KubeMemory
import Lifecycle
import Logging
import Ops
import Platform
import Spec
import YAMLLoader

/// `yopf run DIR…`: runs operators against the configured cluster, or against an
/// embedded in-memory cluster when none is configured.
struct RunCommand: Command {
    static var spec: CommandSpec<Self> {
        CommandSpec(
            name: "run",
            abstract: "Run operators (folders holding operator.yaml, or operator files).",
            discussion: """
                The cluster comes from --kubeconfig, KUBECONFIG, ~/.kube/config or the pod's \
                service account; a file or context named there that does not exist is an error. \
                When none is configured (or with --embedded), yopf starts an embedded in-memory \
                cluster, installs the operators' CRDs in it and serves it on loopback so that \
                kubectl can be pointed at it (the kubeconfig path is printed).
                """,
            arguments: [
                .arguments(\.paths, "paths", required: true, help: "Operator folders or files."),
            ],
            options: [
                .option(\.kubeconfig, "--kubeconfig", help: "The kubeconfig file to use."),
                .option(\.context, "--context", help: "The kubeconfig context to use."),
                .option(\.namespaces, "-n", "--namespace", help: "Watch this namespace (repeatable). Default: all namespaces."),
                .flag(\.allNamespaces, "-A", "--all-namespaces", help: "Watch all namespaces."),
                .option(\.concurrency, "--concurrency", help: "How many objects are handled at once (per operator)."),
                .option(\.logFormat, "--log-format", help: "text or json."),
                .counter(\.verbosity, "-v", help: "More logging (-v debug, -vv trace)."),
                .option(\.qps, "--qps", help: "Client-side rate limit: requests per second to the API server (0: none). Default: none when the server does API Priority and Fairness, else 50."),
                .option(\.burst, "--burst", help: "Client-side rate limit: burst (default 100, or 2 × --qps)."),
                .flag(\.useEmbedded, "--embedded", help: "Run against an embedded in-memory cluster even when a cluster is configured."),
                .option(\.devListen, "--dev-listen", help: "Embedded cluster only: where to serve it for kubectl (HOST:PORT, port 0 = any)."),
                .option(\.devKubeconfig, "--dev-kubeconfig", help: "Embedded cluster only: where to write its kubeconfig."),
                .option(\.devApply, "--dev-apply", help: "Embedded cluster only: create the objects in this YAML file before the operators start (repeatable), e.g. CRDs the handlers use and sample resources."),
                .option(\.devExec, "--dev-exec", help: "Embedded cluster only: how pods run commands — scripted (simulated) or local (real local processes with the pod's env)."),
                .option(\.healthAddr, "--health-addr", help: "Serve /healthz and /readyz here (HOST:PORT, e.g. :8081). Off when empty."),
                .option(\.metricsAddr, "--metrics-addr", help: "Serve Prometheus /metrics here (HOST:PORT, e.g. :8080). Off when empty."),
                .flag(\.leaderElect, "--leader-elect", help: "Run as one of several replicas: only the holder of a Lease handles objects."),
                .option(\.leaseDuration, "--leader-elect-lease-duration", help: "How long a lease is valid without renewal."),
                .option(\.renewDeadline, "--leader-elect-renew-deadline", help: "How long the leader keeps trying to renew before it stops working."),
                .option(\.retryPeriod, "--leader-elect-retry-period", help: "How often to try to acquire or renew the lease."),
                .option(\.leaseNamespace, "--leader-elect-namespace", help: "Namespace of the Lease (default: the pod's, else the context's, else default)."),
                .option(\.leaseIdentity, "--leader-elect-id", help: "This replica's identity in the Lease (default: hostname and a random suffix)."),
                .option(\.shutdownGrace, "--shutdown-grace", help: "Seconds a running step may take to finish after SIGTERM."),
            ])
    }

    var paths: [String] = []
    var kubeconfig: String?
    var context: String?
    var namespaces: [String] = []
    var allNamespaces = false
    var concurrency = 16
    var logFormat = "text"
    var verbosity = 0
    var qps: Double?
    var burst: Int?
    var useEmbedded = false
    var devListen = "127.0.0.1:0"
    var devKubeconfig = "yopf-dev.kubeconfig"
    var devApply: [String] = []
    var devExec = "scripted"
    var healthAddr = ""
    var metricsAddr = ""
    var leaderElect = false
    var leaseDuration = "15s"
    var renewDeadline = "10s"
    var retryPeriod = "2s"
    var leaseNamespace: String?
    var leaseIdentity: String?
    var shutdownGrace = 25

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one operator folder or file") }
        if allNamespaces && !namespaces.isEmpty { throw ValidationError("use either -n/--namespace or -A/--all-namespaces") }
        if useEmbedded && kubeconfig != nil { throw ValidationError("use either --embedded or --kubeconfig") }
        if !devApply.isEmpty && !useEmbedded && KubeConfig.isConfigured(explicitPath: kubeconfig) {
            throw ValidationError("--dev-apply is for the embedded cluster only, and a cluster is configured (\(KubeConfig.describeConfiguration(explicitPath: kubeconfig))); add --embedded to use the embedded cluster anyway, or kubectl apply the file there")
        }
        if let qps, qps < 0 || !qps.isFinite { throw ValidationError("--qps must be 0 (no limit) or more, got \(qps)") }
        if let burst, burst < 1 { throw ValidationError("--burst must be at least 1, got \(burst)") }
        if shutdownGrace < 0 { throw ValidationError("--shutdown-grace must be 0 or more seconds") }
        for (flag, value) in [("--health-addr", healthAddr), ("--metrics-addr", metricsAddr)] where !value.isEmpty {
            guard OpsServer.address(value) != nil else { throw ValidationError("\(flag) must be HOST:PORT or :PORT, got \(value)") }
        }
        for (flag, value) in [("--leader-elect-lease-duration", leaseDuration), ("--leader-elect-renew-deadline", renewDeadline), ("--leader-elect-retry-period", retryPeriod)] {
            guard let duration = Durations.parse(value) else { throw ValidationError("\(flag) must be a duration like 15s or 1m, got \(value)") }
            // A zero period would spin; a huge one overflows the sleeps and the Lease's seconds.
            guard duration >= .milliseconds(100), duration <= Durations.maximum else {
                throw ValidationError("\(flag) must be from 100ms to \(Durations.format(Durations.maximum)), got \(value)")
            }
        }
        if leaderElect, let d = Durations.parse(leaseDuration), let r = Durations.parse(renewDeadline), r >= d {
            throw ValidationError("--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration")
        }
        guard devExec == "scripted" || devExec == "local" else { throw ValidationError("--dev-exec must be scripted or local, got \(devExec)") }
        if concurrency < 1 || concurrency > Limits.maximumConcurrency {
            throw ValidationError("--concurrency must be from 1 to \(Limits.maximumConcurrency), got \(concurrency)")
        }
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json, got \(logFormat)") }
    }

    func run() async throws {
        let level: Logger.Level = verbosity >= 2 ? .trace : verbosity == 1 ? .debug : .info
        LogOutput.bootstrap(format: LogFormat(rawValue: logFormat) ?? .text, level: level)
        let logger = Logger(label: "yopf")

        let (operators, diagnostics) = OperatorLoader.load(paths: paths)
        if !diagnostics.isEmpty {
            for d in diagnostics { print(d) }
            print("\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") found; not starting")
            throw ExitCode(1)
        }

        let metrics: OperatorMetrics? = metricsAddr.isEmpty ? nil : OperatorMetrics.bootstrap()
        let api: any KubeAPI
        var contextNamespace: String? = nil
        var embedded: DevClusterServer? = nil
        var simulator: WorkloadSimulator? = nil
        if !useEmbedded && KubeConfig.isConfigured(explicitPath: kubeconfig) {
            let connection: ClusterConnection
            do {
                connection = try KubeConfig.load(explicitPath: kubeconfig, context: context)
            } catch let e as KubeConfigError {
                logger.critical("\(e.message)")
                throw ExitCode(1)
            }
            for missing in KubeConfig.missingFiles() {
                logger.warning("KUBECONFIG names a file that does not exist; it is skipped", metadata: ["file": .string(missing)])
            }
            contextNamespace = connection.namespace
            var options = ClientOptions()
            if let qps {
                options.rateLimit = .fixed(qps: qps, burst: burst ?? max(1, Int(min(qps * 2, 1e6))))
            } else if let burst {
                options.rateLimit = .automatic(fallback: (RateLimitPolicy.conservative.qps, burst))
            }
            if let metrics {
                let host = connection.endpoint.server
                options.onResponse = { method, code, seconds in metrics.restRequest(method: method, code: code, host: host, seconds: seconds) }
            }
            let client = KubeClient(endpoint: connection.endpoint, credentials: connection.credentials, options: options)
            api = client
            logger.info("connecting", metadata: ["cluster": .string(connection.endpoint.server), "via": .string(connection.origin)])
            let limit = await client.describeRateLimit()
            logger.info("\(limit)")
        } else {
            let cluster = MemoryCluster()
            // Deployments, Jobs and Pods come alive as a kubelet and the controllers would make them.
            let sim = WorkloadSimulator(cluster: cluster, runner: devExec == "local" ? LocalPodCommandRunner() as any PodCommandRunner : ScriptedPodCommandRunner())
            sim.start()
            // exec and stream steps reach pods through the cluster: without this they fail.
            cluster.attachPodCommands(sim)
            simulator = sim
            try await EmbeddedCluster.installCRDs(of: operators, into: cluster, logger: logger)
            for file in devApply { try await EmbeddedCluster.create(file: file, in: cluster, logger: logger) }
            let (server, url) = try await EmbeddedCluster.serve(cluster, listen: devListen, kubeconfig: devKubeconfig)
            embedded = server
            api = cluster
            logger.info("no cluster configured: running against an embedded in-memory cluster", metadata: [
                "server": .string(url), "kubeconfig": .string(devKubeconfig),
            ])
            // On stderr, unbuffered: stdout is buffered when it is not a terminal, and the
            // hint would show only at exit.
            Output.error("yopf: embedded cluster at \(url); try: kubectl --kubeconfig \(devKubeconfig) get all -A")
        }

        let scope: [String]? = allNamespaces || namespaces.isEmpty ? nil : namespaces
        let runners = operators.map { (op: LoadedOperator) -> OperatorRunner in
            let name = op.spec.name
            let kind = op.spec.watch.kind ?? op.spec.watch.plural ?? name
            var observer: (@Sendable (String, String, Double) -> Void)? = nil
            if let m = metrics {
                observer = { handler, outcome, seconds in m.handlerRun(operator: name, kind: kind, handler: handler, outcome: outcome, seconds: seconds) }
            }
            let counters = HandlerCounters(observer: observer)
            return OperatorRunner(loaded: op, api: api, namespaces: scope, concurrency: concurrency,
                                  logger: logger.with(operator: name), counters: counters)
        }
        // Refuse to start when a resource cannot be watched or its CRD prunes status.yopf.
        for r in runners {
            do { _ = try await r.resolveResource() } catch {
                logger.critical("\(error)")
                throw ExitCode(1)
            }
        }

        var elector: LeaderElector? = nil
        if leaderElect {
            var settings = LeaderElector.Settings(
                name: Self.leaseName(operators.map(\.spec.name)),
                namespace: leaseNamespace ?? contextNamespace ?? "default",
                identity: leaseIdentity ?? LeaderElector.defaultIdentity())
            settings.leaseDuration = Durations.parse(leaseDuration) ?? .seconds(15)
            settings.renewDeadline = Durations.parse(renewDeadline) ?? .seconds(10)
            settings.retryPeriod = Durations.parse(retryPeriod) ?? .seconds(2)
            elector = LeaderElector(api: api, settings: settings, logger: logger)
        }
        let heartbeat = Heartbeat()
        let ops = try await startOpsServers(runners: runners, metrics: metrics, heartbeat: heartbeat, elector: elector, logger: logger)
        let runAll: @Sendable () async -> Void = {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for r in runners { group.addTask { try await r.run() } }
                    try await group.waitForAll()
                }
            } catch is CancellationError {
            } catch {
                // An operator that cannot run must not leave a process that looks alive.
                logger.critical("the operators stopped: \(error)")
                Glibc.exit(1)
            }
        }
        let work: Task<Void, Never>
        if let elector {
            let leaseName = elector.settings.name
            work = Task { await elector.run(onChange: { metrics?.leader(leaseName, isLeader: $0) }, lead: runAll) }
        } else {
            work = Task { await runAll() }
        }
        // A second signal ends the process at once (ShutdownSignal restores the default action).
        let signal = await ShutdownSignal.wait()
        logger.info("signal \(signal): stopping; running steps may finish (a second signal exits at once)", metadata: ["grace": .string("\(shutdownGrace)s")])
        work.cancel()
        if !(await Self.finishes(work, within: .seconds(shutdownGrace))) {
            // The grace is over: cancel the steps still running. Their progress says where
            // the next process continues; a step cut short runs again there.
            logger.warning("shutdown grace over: cancelling the steps still running")
            for r in runners { r.abort() }
            if !(await Self.finishes(work, within: .seconds(3))) {
                logger.warning("steps did not stop within 3s of being cancelled; exiting anyway")
            }
        }
        await elector?.release()
        heartbeat.stop()
        for server in ops { await server.stop() }
        if let embedded { try? await embedded.stop() }
        await simulator?.stop()
    }

    /// The health and metrics endpoints (one server when both flags name the same address).
    func startOpsServers(runners: [OperatorRunner], metrics: OperatorMetrics?, heartbeat: Heartbeat, elector: LeaderElector?, logger: Logger) async throws -> [OpsServer] {
        let healthy: @Sendable () -> Bool = { heartbeat.isAlive }
        // A standby is ready (it must not block a rolling update); a leader once it has listed.
        let ready: @Sendable () -> Bool = { (elector.map { !$0.isLeader } ?? false) || runners.allSatisfy(\.isReady) }
        var exposition: (@Sendable () -> [UInt8])? = nil
        if let m = metrics {
            exposition = {
                for r in runners { m.queueDepth(r.loaded.spec.name, r.queueDepth) }
                return m.exposition()
            }
        }
        var servers: [OpsServer] = []
        if !healthAddr.isEmpty, let (host, port) = OpsServer.address(healthAddr) {
            let same = healthAddr == metricsAddr
            let server = OpsServer(routes: .init(healthy: healthy, ready: ready, metrics: same ? exposition : nil))
            let bound = try await server.start(host: host, port: port)
            logger.info("serving health probes", metadata: ["address": .string("\(host):\(bound)"), "metrics": .stringConvertible(same)])
            servers.append(server)
        }
        if !metricsAddr.isEmpty, metricsAddr != healthAddr, let (host, port) = OpsServer.address(metricsAddr) {
            let server = OpsServer(routes: .init(healthy: healthy, ready: ready, metrics: exposition))
            let bound = try await server.start(host: host, port: port)
            logger.info("serving metrics", metadata: ["address": .string("\(host):\(bound)")])
            servers.append(server)
        }
        return servers
    }
}

extension RunCommand {
    /// Whether `task` ends within `limit` (the task goes on either way).
    static func finishes(_ task: Task<Void, Never>, within limit: Duration) async -> Bool {
        let outcome = Locked<Bool?>(nil)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let settle: @Sendable (Bool) -> Void = { finished in
                let first = outcome.update { o -> Bool in
                    if o != nil { return false }
                    o = finished
                    return true
                }
                if first { c.resume() }
            }
            Task { await task.value; settle(true) }
            Task { try? await Task.sleep(for: limit); settle(false) }
        }
        return outcome.value ?? false
    }

    /// The Lease's name: the operators' names, as a DNS label.
    static func leaseName(_ names: [String]) -> String {
        var name = String(names.joined(separator: "-").lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(56))
        while name.hasSuffix("-") { name.removeLast() }
        return (name.isEmpty ? "yopf" : name) + "-leader"
    }
}

extension Logger {
    func with(operator name: String) -> Logger {
        var l = self
        l[metadataKey: "operator"] = .string(name)
        return l
    }
}

/// The in-memory cluster `yopf run` starts when no cluster is configured.
enum EmbeddedCluster {
    static let crdGVR = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    /// Creates the CRDs the operators declare (`crd:` in the operator file).
    static func installCRDs(of operators: [LoadedOperator], into cluster: MemoryCluster, logger: Logger) async throws {
        for op in operators {
            guard let manifest = op.spec.crdManifest() else {
                logger.warning("the operator declares no crd:, so the embedded cluster cannot serve its resource unless you apply the CRD", metadata: ["operator": .string(op.spec.name)])
                continue
            }
            do {
                _ = try await cluster.create(crdGVR, namespace: nil, body: manifest, options: WriteOptions(fieldManager: "yopf"))
            } catch let e as KubeError where e.code == 409 {
                continue
            }
        }
    }

    /// Creates every object of a YAML file (CRDs first, so that their resources exist).
    static func create(file: String, in cluster: MemoryCluster, logger: Logger) async throws {
        let documents: [YAMLDocument]
        do { documents = try YAML.loadFile(atPath: file) } catch {
            throw ValidationError("--dev-apply: \(error)")
        }
        let objects = documents.map(\.value).filter { !$0.isNull }
        let ordered = objects.filter { $0["kind"]?.string == "CustomResourceDefinition" } + objects.filter { $0["kind"]?.string != "CustomResourceDefinition" }
        for object in ordered {
            guard let apiVersion = object["apiVersion"]?.string, let kind = object["kind"]?.string else {
                throw ValidationError("--dev-apply: \(file): every document needs apiVersion and kind")
            }
            guard let info = cluster.resourceInfo(for: GroupVersionKind(apiVersion: apiVersion, kind: kind)) else {
                throw ValidationError("--dev-apply: \(file): the embedded cluster serves no \(apiVersion) \(kind)")
            }
            let namespace = info.namespaced ? (object["metadata"]?["namespace"]?.string ?? "default") : nil
            do {
                _ = try await cluster.create(info.gvr, namespace: namespace, body: object, options: WriteOptions(fieldManager: "yopf"))
                logger.info("created", metadata: ["object": .string("\(kind)/\(object["metadata"]?["name"]?.string ?? "")"), "from": .string(file)])
            } catch let e as KubeError {
                throw ValidationError("--dev-apply: \(file): \(kind) \(object["metadata"]?["name"]?.string ?? ""): \(e.message)")
            }
        }
    }

    /// Serves the cluster over HTTP for kubectl and writes a kubeconfig for it.
    static func serve(_ cluster: MemoryCluster, listen: String, kubeconfig: String) async throws -> (DevClusterServer, String) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--dev-listen must be HOST:PORT, got \(listen)")
        }
        let host = String(listen[..<colon])
        let token = Kubeconfig.randomToken()
        let server = DevClusterServer(backend: cluster, token: token)
        let bound = try await server.start(host: host, port: port)
        let url = "http://\(host):\(bound)"
        try DevClusterServer.writeKubeconfig(path: kubeconfig, server: url, token: token)
        return (server, url)
    }
}
