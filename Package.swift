// swift-tools-version:6.0
// yopf: Kubernetes operators as YAML handler files with jq expressions.
// Build the shipped binary with `swift build -c release --static-swift-stdlib`.
import PackageDescription

let package = Package(
    name: "yopf",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "yopf", targets: ["yopf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian (-dev packages).
        .systemLibrary(name: "CJQ", path: "Sources/CJQ"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "CPSL", path: "Sources/CPSL", pkgConfig: "libpsl"),
        // TLS for the dev-cluster's https listener (the same OpenSSL libcurl links).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl"),
        // glibc's malloc.h (malloc_trim), for Platform's HeapTrim.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // Files, environment, processes and signals without Foundation.
        .target(name: "Platform", dependencies: ["CMalloc"], path: "Sources/Platform"),
        // The one JSON model of the project (a Sendable value type).
        .target(name: "JSONValue", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
        ], path: "Sources/JSONValue"),
        // YAML -> JSON with source positions, through libyaml.
        .target(name: "YAMLLoader", dependencies: ["CYAML", "JSONValue"], path: "Sources/YAMLLoader"),
        // jq programs compiled once and pooled; jv never leaves this module.
        .target(name: "JQ", dependencies: ["CJQ", "CPSL", "JSONValue", "Platform"], path: "Sources/JQ"),
        // The operator file format: typed model, validation, `yopf check`; cron schedules and
        // time zones (Platform: zone files and calendar arithmetic).
        .target(name: "Spec", dependencies: ["JSONValue", "YAMLLoader", "JQ", "Platform"], path: "Sources/Spec"),
        // What every Kubernetes API implementation shares: requests, errors, watch events.
        .target(name: "Kube", dependencies: ["JSONValue"], path: "Sources/Kube"),
        // The Kubernetes API over HTTP: libcurl, the one HTTP client of the project.
        .target(name: "KubeHTTP", dependencies: ["CCurl", "JSONValue", "Kube", "Platform", "YAMLLoader"], path: "Sources/KubeHTTP"),
        // Watching and queueing: watch streams -> per-object queues.
        .target(name: "Reactor", dependencies: ["JSONValue", "Kube", "Platform"], path: "Sources/Reactor"),
        // What handlers do: one file per step kind.
        .target(name: "Steps", dependencies: [
            "JSONValue", "Kube", "JQ", "Spec", "Platform", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Steps"),
        // Kopf-style lifecycle: causes, progress in status.yopf, conditions.
        .target(name: "Lifecycle", dependencies: [
            "JSONValue", "Kube", "Platform", "JQ", "Spec", "Steps", "Reactor", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Lifecycle"),
        // Running in production: logging, health, metrics, leader election.
        .target(name: "Ops", dependencies: [
            "JSONValue", "Kube", "Platform", .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Sources/Ops"),
        // `yopf plan`: which handlers would run for an object and what their steps would do,
        // rendered by the runtime's own code; with a cluster, reads and dry runs only.
        .target(name: "HandlerPreview", dependencies: [
            "JSONValue", "YAMLLoader", "JQ", "Spec", "Kube", "KubeMemory", "Steps", "Lifecycle", "Manifests", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/HandlerPreview"),
        // What deploys an operator: CRDs, ServiceAccount, least RBAC from the steps, Deployment.
        .target(name: "Manifests", dependencies: ["JSONValue", "Spec", "Platform"], path: "Sources/Manifests"),
        // The in-memory Kubernetes API server.
        .target(name: "KubeMemory", dependencies: ["JSONValue", "Kube", "YAMLLoader", "Platform"], path: "Sources/KubeMemory"),
        // The in-memory API server served over HTTP/WebSocket on loopback (`yopf dev-cluster`).
        .target(name: "DevCluster", dependencies: [
            "JSONValue", "Kube", "KubeMemory", "YAMLLoader", "Platform", "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ], path: "Sources/DevCluster"),
        // `yopf test`: operators on the in-process cluster and a virtual clock, from scenario files.
        .target(name: "Scenarios", dependencies: [
            "JSONValue", "Kube", "KubeMemory", "Lifecycle", "Reactor", "Spec", "Steps", "Platform", "YAMLLoader", "JQ",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Scenarios"),
        // Command lines: options and arguments declared per command, parsed, and their help
        // (hand-written: swift-argument-parser brings FoundationEssentials into the binary).
        .target(name: "Arguments", dependencies: ["Platform"], path: "Sources/Arguments"),
        // The commands.
        .target(name: "CLI", dependencies: [
            "JSONValue", "YAMLLoader", "JQ", "Spec", "Kube", "KubeMemory", "DevCluster", "KubeHTTP", "Lifecycle",
            "Ops", "Platform", "Manifests", "Scenarios", "HandlerPreview", "Arguments",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/CLI"),
        .executableTarget(name: "yopf", dependencies: ["CLI", "Platform"], path: "Sources/yopf"),

        .testTarget(name: "PlatformTests", dependencies: ["Platform"], path: "Tests/PlatformTests"),
        // What several test targets share: finding the built yopf binary, running it.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LifecycleTests", dependencies: [
            "Lifecycle", "Reactor", "JSONValue", "Spec", "KubeMemory", "Kube", "JQ", "Platform", "Steps",
            "DevCluster", "KubeHTTP",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/LifecycleTests"),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "Spec", "KubeMemory", "Kube", "JSONValue"], path: "Tests/ScenariosTests"),
        .testTarget(name: "HandlerPreviewTests", dependencies: [
            "HandlerPreview", "Spec", "Kube", "KubeMemory", "DevCluster", "KubeHTTP", "JSONValue", "YAMLLoader", "TestSupport",
        ], path: "Tests/HandlerPreviewTests"),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "JSONValue", "YAMLLoader", "CLI", "Arguments", "Spec", "Manifests"], path: "Tests/CLITests"),
        .testTarget(name: "ArgumentsTests", dependencies: ["Arguments"], path: "Tests/ArgumentsTests"),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor", "Kube", "JSONValue", "KubeHTTP", "KubeMemory", "DevCluster"], path: "Tests/ReactorTests"),
        .testTarget(name: "ExamplesTests", dependencies: [
            "Lifecycle", "Spec", "KubeMemory", "Kube", "JSONValue", "YAMLLoader", "Manifests", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/ExamplesTests"),
        .testTarget(name: "OpsTests", dependencies: [
            "Ops", "Kube", "KubeMemory", "KubeHTTP", "JSONValue", "Platform", "Lifecycle", "Spec", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/OpsTests", exclude: ["leader-election.sh"]),
        .testTarget(name: "JSONValueTests", dependencies: ["JSONValue"], path: "Tests/JSONValueTests"),
        .testTarget(name: "YAMLLoaderTests", dependencies: ["YAMLLoader", "JSONValue"], path: "Tests/YAMLLoaderTests"),
        .testTarget(name: "JQTests", dependencies: ["JQ", "JSONValue"], path: "Tests/JQTests"),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "JSONValue", "Platform"], path: "Tests/SpecTests", exclude: ["Fixtures"]),
        .testTarget(name: "KubeMemoryTests", dependencies: ["KubeMemory", "Kube", "JSONValue"], path: "Tests/KubeMemoryTests"),
        .testTarget(name: "KubeHTTPTests", dependencies: ["KubeHTTP", "Kube", "JSONValue", "Platform"], path: "Tests/KubeHTTPTests"),
        .testTarget(name: "DevClusterTests", dependencies: ["DevCluster", "KubeMemory", "Kube", "KubeHTTP", "JSONValue", "TestSupport"], path: "Tests/DevClusterTests",
                    exclude: ["kubectl-referee.sh", "auth-referee.sh", "referee-lib.sh"]),
    ]
)
