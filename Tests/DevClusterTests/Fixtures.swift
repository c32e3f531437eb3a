import DevCluster
import JSONValue
import Kube
import KubeMemory

/// Objects and requests the tests share.
enum Fixtures {
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    static func configMap(_ name: String, labels: JSON = [:]) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": labels], "data": ["a": "1"]]
    }

    static let widgetCRD: JSON = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "subresources": ["status": [:]],
                "additionalPrinterColumns": [["name": "Size", "type": "integer", "jsonPath": ".spec.size"]],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": ["spec": ["type": "object", "properties": ["size": ["type": "integer"]]]],
                ]],
            ]],
        ],
    ]

    static func router(_ cluster: MemoryCluster = MemoryCluster(), token: String? = nil) -> APIRouter {
        APIRouter(backend: cluster, token: token, clock: { WallClock.parse("2026-01-01T00:10:00Z") ?? 0 })
    }

    static func request(_ method: String, _ uri: String, accept: String? = nil, contentType: String? = nil, body: JSON? = nil) -> APIRequest {
        var headers: [String: String] = [:]
        if let accept { headers["Accept"] = accept }
        if let contentType { headers["Content-Type"] = contentType }
        return APIRequest(method: method, uri: uri, headers: headers, body: body.map { $0.serializedBytes() } ?? [])
    }
}

extension APIResponse {
    /// The body parsed as JSON (`.null` when it is not JSON).
    var json: JSON { (try? JSON.parse(bodyBytes)) ?? .null }
}
