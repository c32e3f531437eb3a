import JSONValue
import Kube
@testable import KubeMemory

enum R {
    static let configmaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let secrets = GroupVersionResource(group: "", version: "v1", resource: "secrets")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    static let mysqls = GroupVersionResource(group: "otus.homework", version: "v1", resource: "mysqls")
}

func configMap(_ name: String, namespace: String? = "default", data: JSON = ["k": "v"], labels: JSON? = nil) -> JSON {
    var o: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
    if let namespace { o.set(.string(namespace), at: ["metadata", "namespace"]) }
    if let labels { o.set(labels, at: ["metadata", "labels"]) }
    return o
}

func deployment(_ name: String, replicas: Int = 1) -> JSON {
    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
     "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
              "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]]]
}

func ref(_ gvr: GroupVersionResource, _ name: String, _ namespace: String? = "default") -> ObjectRef {
    ObjectRef(gvr, namespace: namespace, name: name)
}

/// The KubeError a call throws, or nil.
func kubeError(_ body: () async throws -> Void) async -> KubeError? {
    do {
        try await body()
        return nil
    } catch let e as KubeError {
        return e
    } catch {
        return KubeError.internalError("unexpected error \(error)")
    }
}

/// The first `count` events of a stream (fewer if it ends first).
func take(_ count: Int, from stream: AsyncThrowingStream<WatchEvent, any Error>) async throws -> [WatchEvent] {
    var out: [WatchEvent] = []
    if count == 0 { return out }
    for try await e in stream {
        out.append(e)
        if out.count == count { break }
    }
    return out
}

/// Every event until the stream ends.
func drain(_ stream: AsyncThrowingStream<WatchEvent, any Error>) async throws -> [WatchEvent] {
    var out: [WatchEvent] = []
    for try await e in stream { out.append(e) }
    return out
}

let mysqlCRD: JSON = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "mysqls.otus.homework"],
    "spec": [
        "group": "otus.homework", "scope": "Namespaced",
        "names": ["plural": "mysqls", "singular": "mysql", "kind": "MySQL", "shortNames": ["ms"]],
        "versions": [[
            "name": "v1", "served": true, "storage": true,
            "subresources": ["status": [:], "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"]],
            "schema": ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "required": ["image"], "properties": [
                        "image": ["type": "string"],
                        "replicas": ["type": "integer", "default": 1],
                        "storage_size": ["type": "string"],
                    ]],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
            ]],
        ]],
    ],
]

func mysql(_ name: String, spec: JSON = ["image": "mysql:8"]) -> JSON {
    ["apiVersion": "otus.homework/v1", "kind": "MySQL", "metadata": ["name": .string(name)], "spec": spec]
}
