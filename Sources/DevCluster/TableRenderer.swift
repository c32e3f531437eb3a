import JSONValue
import Kube

/// Renders objects as `meta.k8s.io/v1 Table`s, the form `kubectl get` prints.
///
/// Columns: NAME, a few per well-known kind (READY/STATUS for pods, …), the
/// `additionalPrinterColumns` of a CRD version when it declares them, and AGE.
struct TableRenderer: Sendable {
    let backend: any DevClusterBackend
    let info: ResourceInfo
    let now: Int
    /// `includeObject`: None, Metadata (the default) or Object.
    let includeObject: String

    init(backend: any DevClusterBackend, info: ResourceInfo, now: Int, request: APIRequest) {
        self.backend = backend
        self.info = info
        self.now = now
        self.includeObject = request.query["includeObject"] ?? "Metadata"
    }

    struct Column: Sendable {
        var name: String
        var type: String
        var format: String
        var description: String
        var priority: Int
        var cell: @Sendable (JSON) -> JSON
    }

    func table(list: JSON) async throws -> JSON {
        let columns = try await columnsForKind()
        let rows = (list["items"]?.array ?? []).map { row($0, columns) }
        var metadata: JSON = [:]
        if let rv = list["metadata"]?["resourceVersion"] { metadata["resourceVersion"] = rv }
        if let c = list["metadata"]?["continue"]?.string, !c.isEmpty { metadata["continue"] = .string(c) }
        return document(columns, rows: rows, metadata: metadata)
    }

    func table(single object: JSON) async throws -> JSON {
        let columns = try await columnsForKind()
        var metadata: JSON = [:]
        if let rv = object["metadata"]?["resourceVersion"] { metadata["resourceVersion"] = rv }
        return document(columns, rows: [row(object, columns)], metadata: metadata)
    }

    func document(_ columns: [Column], rows: [JSON], metadata: JSON) -> JSON {
        let definitions: [JSON] = columns.map {
            ["name": .string($0.name), "type": .string($0.type), "format": .string($0.format),
             "description": .string($0.description), "priority": .int($0.priority)]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": .array(definitions), "rows": .array(rows)]
    }

    func row(_ object: JSON, _ columns: [Column]) -> JSON {
        var row: JSON = ["cells": .array(columns.map { $0.cell(object) })]
        switch includeObject {
        case "None": break
        case "Object": row["object"] = object
        default:
            row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": object["metadata"] ?? [:]]
        }
        return row
    }

    // MARK: Columns

    func columnsForKind() async throws -> [Column] {
        let name = Column(name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.",
                          priority: 0) { $0["metadata"]?["name"] ?? "" }
        let now = self.now
        let age = Column(name: "Age", type: "string", format: "", description: "CreationTimestamp is the time the object was created.",
                         priority: 0) { TableRenderer.age($0["metadata"]?["creationTimestamp"], now: now) }
        if let printer = try await crdPrinterColumns(), !printer.isEmpty {
            return [name] + printer
        }
        if info.gvr.group.isEmpty, info.gvr.resource == "events" { return TableRenderer.eventColumns(now: now) }
        return [name] + TableRenderer.builtInColumns(info.gvr) + [age] + TableRenderer.wideColumns(info.gvr)
    }

    /// `kubectl get events`: kube's event printer has no leading NAME column.
    static func eventColumns(now: Int) -> [Column] {
        func wide(_ name: String, _ cell: @escaping @Sendable (JSON) -> JSON) -> Column {
            Column(name: name, type: "string", format: "", description: name, priority: 1, cell: cell)
        }
        let seen = { @Sendable (e: JSON, field: String) -> JSON in
            age(e[field] ?? e["eventTime"] ?? e["metadata"]?["creationTimestamp"], now: now)
        }
        return [
            column("Last Seen") { seen($0, "lastTimestamp") },
            column("Type") { $0["type"] ?? "" },
            column("Reason") { $0["reason"] ?? "" },
            column("Object") { e in
                let o = e["involvedObject"] ?? .emptyObject
                return .string("\((o["kind"]?.string ?? "").lowercased())/\(o["name"]?.string ?? "")")
            },
            wide("Subobject") { $0["involvedObject"]?["fieldPath"] ?? "" },
            wide("Source") { e in
                let component = e["source"]?["component"]?.string ?? e["reportingComponent"]?.string ?? ""
                if let host = e["source"]?["host"]?.string, !host.isEmpty { return .string("\(component), \(host)") }
                return .string(component)
            },
            column("Message") { $0["message"] ?? "" },
            wide("First Seen") { seen($0, "firstTimestamp") },
            Column(name: "Count", type: "integer", format: "", description: "Count", priority: 1) { $0["count"] ?? 1 },
            wide("Name") { $0["metadata"]?["name"] ?? "" },
        ]
    }

    /// Priority-1 columns (`kubectl get -o wide`), after AGE as kube's printers put them.
    static func wideColumns(_ gvr: GroupVersionResource) -> [Column] {
        func wide(_ name: String, _ cell: @escaping @Sendable (JSON) -> JSON) -> Column {
            Column(name: name, type: "string", format: "", description: name, priority: 1, cell: cell)
        }
        switch (gvr.group, gvr.resource) {
        case ("apps", "deployments"), ("apps", "replicasets"), ("apps", "daemonsets"), ("apps", "statefulsets"):
            var columns = [
                wide("Containers") { .string(containers($0).compactMap { $0["name"]?.string }.joined(separator: ",")) },
                wide("Images") { .string(containers($0).compactMap { $0["image"]?.string }.joined(separator: ",")) },
            ]
            if gvr.resource != "statefulsets" { columns.append(wide("Selector") { .string(selectorText($0["spec"]?["selector"])) }) }
            return columns
        case ("batch", "jobs"):
            return [
                wide("Containers") { .string(containers($0).compactMap { $0["name"]?.string }.joined(separator: ",")) },
                wide("Images") { .string(containers($0).compactMap { $0["image"]?.string }.joined(separator: ",")) },
                wide("Selector") { .string(selectorText($0["spec"]?["selector"])) },
            ]
        case ("", "pods"):
            return [
                wide("IP") { $0["status"]?["podIP"] ?? "<none>" },
                wide("Node") { $0["spec"]?["nodeName"] ?? "<none>" },
                wide("Nominated Node") { $0["status"]?["nominatedNodeName"] ?? "<none>" },
                wide("Readiness Gates") { _ in "<none>" },
            ]
        case ("", "services"):
            return [wide("Selector") { svc in
                let pairs = (svc["spec"]?["selector"]?.object ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.string ?? "")" }
                return .string(pairs.isEmpty ? "<none>" : pairs.joined(separator: ","))
            }]
        default:
            return []
        }
    }

    static func containers(_ o: JSON) -> [JSON] { o["spec"]?["template"]?["spec"]?["containers"]?.array ?? [] }

    /// A LabelSelector object as kubectl prints it: `a=b,c in (x,y),!d`.
    static func selectorText(_ selector: JSON?) -> String {
        guard let selector else { return "<none>" }
        var parts = (selector["matchLabels"]?.object ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.string ?? "")" }
        for e in selector["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? "", values = (e["values"]?.array ?? []).compactMap(\.string).joined(separator: ",")
            switch e["operator"]?.string ?? "" {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: continue
            }
        }
        return parts.isEmpty ? "<none>" : parts.joined(separator: ",")
    }

    static func age(_ timestamp: JSON?, now: Int) -> JSON {
        guard let text = timestamp?.string, let t = WallClock.parse(text) else { return "<unknown>" }
        return .string(WallClock.humanDuration(max(0, now - t)))
    }

    static func column(_ name: String, _ type: String = "string", _ cell: @escaping @Sendable (JSON) -> JSON) -> Column {
        Column(name: name, type: type, format: "", description: name, priority: 0, cell: cell)
    }

    /// The STATUS cell of `kubectl get pods`, as kube's pod printer words it: the first
    /// container that is waiting or terminated names it (ContainerCreating, Completed,
    /// Error, ExitCode:N), else the phase; Terminating while deleted.
    static func podStatus(_ pod: JSON) -> String {
        let status = pod["status"] ?? .emptyObject
        var reason = status["reason"]?.string ?? status["phase"]?.string ?? "Pending"
        var running = false
        for c in (status["containerStatuses"]?.array ?? []).reversed() {
            let state = c["state"] ?? .emptyObject
            if let waiting = state["waiting"]?["reason"]?.string, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = state["terminated"] {
                if let r = terminated["reason"]?.string, !r.isEmpty {
                    reason = r
                } else if let signal = terminated["signal"]?.int, signal != 0 {
                    reason = "Signal:\(signal)"
                } else {
                    reason = "ExitCode:\(terminated["exitCode"]?.int ?? 0)"
                }
            } else if c["ready"]?.bool == true, state["running"] != nil {
                running = true
            }
        }
        if reason == "Completed", running { reason = "Running" }
        if pod["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
        return reason
    }

    static func builtInColumns(_ gvr: GroupVersionResource) -> [Column] {
        switch (gvr.group, gvr.resource) {
        case ("", "pods"):
            return [
                column("Ready") { pod in
                    let total = pod["spec"]?["containers"]?.array?.count ?? 0
                    let ready = (pod["status"]?["containerStatuses"]?.array ?? []).filter { $0["ready"]?.bool == true }.count
                    return .string("\(ready)/\(total)")
                },
                column("Status") { .string(podStatus($0)) },
                column("Restarts", "integer") { pod in
                    .int((pod["status"]?["containerStatuses"]?.array ?? []).reduce(0) { $0 + ($1["restartCount"]?.int ?? 0) })
                },
            ]
        case ("apps", "replicasets"):
            return [
                column("Desired", "integer") { .int($0["spec"]?["replicas"]?.int ?? 1) },
                column("Current", "integer") { .int($0["status"]?["replicas"]?.int ?? 0) },
                column("Ready", "integer") { .int($0["status"]?["readyReplicas"]?.int ?? 0) },
            ]
        case ("apps", "deployments"), ("apps", "statefulsets"):
            var columns = [
                column("Ready") { d in
                    .string("\(d["status"]?["readyReplicas"]?.int ?? 0)/\(d["spec"]?["replicas"]?.int ?? 1)")
                },
            ]
            if gvr.resource == "deployments" {
                columns.append(column("Up-to-date", "integer") { .int($0["status"]?["updatedReplicas"]?.int ?? 0) })
                columns.append(column("Available", "integer") { .int($0["status"]?["availableReplicas"]?.int ?? 0) })
            }
            return columns
        case ("batch", "jobs"):
            return [
                column("Status") { job in
                    let conditions = job["status"]?["conditions"]?.array ?? []
                    for type in ["Complete", "Failed", "Suspended"] where conditions.contains(where: { $0["type"]?.string == type && $0["status"]?.string == "True" }) {
                        return .string(type)
                    }
                    return "Running"
                },
                column("Completions") { job in
                    .string("\(job["status"]?["succeeded"]?.int ?? 0)/\(job["spec"]?["completions"]?.int ?? 1)")
                },
            ]
        case ("", "configmaps"):
            return [column("Data", "integer") { .int(($0["data"]?.object?.count ?? 0) + ($0["binaryData"]?.object?.count ?? 0)) }]
        case ("", "secrets"):
            return [
                column("Type") { $0["type"] ?? "Opaque" },
                column("Data", "integer") { .int(($0["data"]?.object?.count ?? 0) + ($0["stringData"]?.object?.count ?? 0)) },
            ]
        case ("", "namespaces"):
            return [column("Status") { ns in
                if ns["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
                return ns["status"]?["phase"] ?? "Active"
            }]
        case ("", "services"):
            return [
                column("Type") { $0["spec"]?["type"] ?? "ClusterIP" },
                column("Cluster-IP") { $0["spec"]?["clusterIP"] ?? "<none>" },
                column("External-IP") { svc in
                    let spec = svc["spec"] ?? .emptyObject
                    if let ips = spec["externalIPs"]?.array, !ips.isEmpty { return .string(ips.compactMap(\.string).joined(separator: ",")) }
                    switch spec["type"]?.string ?? "ClusterIP" {
                    case "ExternalName": return spec["externalName"] ?? "<none>"
                    case "LoadBalancer":
                        let ingress = (svc["status"]?["loadBalancer"]?["ingress"]?.array ?? []).compactMap { $0["ip"]?.string ?? $0["hostname"]?.string }
                        return .string(ingress.isEmpty ? "<pending>" : ingress.joined(separator: ","))
                    default: return "<none>"
                    }
                },
                column("Port(s)") { svc in
                    let ports = (svc["spec"]?["ports"]?.array ?? []).map { p -> String in
                        let port = p["port"]?.int ?? 0, proto = p["protocol"]?.string ?? "TCP"
                        if let node = p["nodePort"]?.int, node != 0 { return "\(port):\(node)/\(proto)" }
                        return "\(port)/\(proto)"
                    }
                    return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
                },
            ]
        case ("batch", "cronjobs"):
            return [
                column("Schedule") { $0["spec"]?["schedule"] ?? "" },
                column("Suspend", "boolean") { .bool($0["spec"]?["suspend"]?.bool ?? false) },
                column("Active", "integer") { .int($0["status"]?["active"]?.array?.count ?? 0) },
                column("Last Schedule") { _ in "<none>" },
            ]
        case ("networking.k8s.io", "ingresses"):
            return [
                column("Class") { $0["spec"]?["ingressClassName"] ?? "<none>" },
                column("Hosts") { ing in
                    let hosts = (ing["spec"]?["rules"]?.array ?? []).map { $0["host"]?.string ?? "*" }
                    return .string(hosts.isEmpty ? "*" : hosts.joined(separator: ","))
                },
                column("Address") { _ in "" },
                column("Ports") { ($0["spec"]?["tls"]?.array ?? []).isEmpty ? "80" : "80, 443" },
            ]
        case ("", "serviceaccounts"):
            return [column("Secrets", "integer") { .int($0["secrets"]?.array?.count ?? 0) }]
        case ("", "persistentvolumeclaims"), ("", "persistentvolumes"):
            return [column("Status") { $0["status"]?["phase"] ?? "Pending" }]
        default:
            return []
        }
    }

    /// The CRD's `additionalPrinterColumns` for this version, nil for built-in kinds.
    func crdPrinterColumns() async throws -> [Column]? {
        guard !OpenAPIDocuments.isBuiltIn(info.gvr.group) else { return nil }
        let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
        let crd: JSON
        do {
            crd = try await backend.get(ObjectRef(crds, namespace: nil, name: "\(info.gvr.resource).\(info.gvr.group)"), subresource: nil)
        } catch is KubeError {
            return nil
        }
        let version = (crd["spec"]?["versions"]?.array ?? []).first { $0["name"]?.string == info.gvr.version }
        let now = self.now
        return (version?["additionalPrinterColumns"]?.array ?? []).compactMap { c -> Column? in
            guard let name = c["name"]?.string, let path = c["jsonPath"]?.string else { return nil }
            let type = c["type"]?.string ?? "string"
            let parsed = SimpleJSONPath(path)
            return Column(name: name, type: type, format: c["format"]?.string ?? "", description: c["description"]?.string ?? name,
                          priority: c["priority"]?.int ?? 0) { object in
                guard let value = parsed?.evaluate(object) else { return .null }
                if type == "date" { return TableRenderer.age(value, now: now) }
                return value
            }
        }
    }
}
