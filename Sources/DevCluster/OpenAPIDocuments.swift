import JSONValue
import Kube

/// The OpenAPI documents kubectl reads: the v3 index and one v3 document per group
/// version (validation support, `kubectl explain`, apply patches), and v2.
///
/// Built-in kinds get permissive schemas (apiVersion, kind, metadata, and `spec`/`status`
/// objects that keep unknown fields): we do not model their fields, and real manifests
/// must pass. Custom resources get the `openAPIV3Schema` their CRD declares. Every PATCH
/// operation lists the `fieldValidation` query parameter, which tells kubectl that the
/// server validates fields itself, so it sends `fieldValidation=Strict` instead of
/// validating on its side.
public struct OpenAPIDocuments: Sendable {
    public var resources: [ResourceInfo]
    /// CRD schemas by kind.
    public var schemas: [GroupVersionKind: JSON]

    public init(resources: [ResourceInfo], schemas: [GroupVersionKind: JSON]) {
        self.resources = resources
        self.schemas = schemas
    }

    /// What kubectl asks for in Accept (Go's mime parser refuses the `@` in it).
    public static let v2ProtobufType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    /// What kube-apiserver answers it with: the same type with `.` for `@`, which Go's
    /// `mime.ParseMediaType` accepts (kubectl fails on the `@` form: "mime: unexpected
    /// content after media subtype").
    public static let v2ProtobufResponseType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// Kubernetes' own groups: the core group, unqualified names and `*.k8s.io`.
    public static func isBuiltIn(_ group: String) -> Bool {
        group.isEmpty || !group.contains(".") || group.hasSuffix(".k8s.io")
    }

    /// `api/v1`, `apis/apps/v1`, … in the order resources are served.
    var groupVersionPaths: [String] {
        var seen: [String] = []
        for r in resources {
            let p = r.gvr.group.isEmpty ? "api/\(r.gvr.version)" : "apis/\(r.gvr.group)/\(r.gvr.version)"
            if !seen.contains(p) { seen.append(p) }
        }
        return seen
    }

    // MARK: v3

    public func v3Index() -> JSON {
        var paths = JSONObject()
        for p in groupVersionPaths {
            let hash = v3Document(p).map { OpenAPIDocuments.hash($0.serialized(sortedKeys: true)) } ?? "0"
            paths[p] = ["serverRelativeURL": .string("/openapi/v3/\(p)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document of `api/v1` or `apis/{group}/{version}`; nil when not served.
    public func v3Document(_ groupVersionPath: String) -> JSON? {
        let parts = groupVersionPath.split(separator: "/").map(String.init)
        let group: String, version: String
        if parts.count == 2, parts[0] == "api" { (group, version) = ("", parts[1]) }
        else if parts.count == 3, parts[0] == "apis" { (group, version) = (parts[1], parts[2]) }
        else { return nil }
        let infos = resources.filter { $0.gvr.group == group && $0.gvr.version == version }
        guard !infos.isEmpty else { return nil }
        let ref = { (name: String) -> JSON in ["$ref": .string("#/components/schemas/\(name)")] }
        var components = OpenAPIDocuments.sharedSchemas
        var paths = JSONObject()
        for info in infos {
            let name = OpenAPIDocuments.schemaName(info.gvk)
            components[name] = schema(info, metadataRef: ref(OpenAPIDocuments.objectMetaName))
            for (path, item) in pathItems(info, responseSchema: ref(name)) { paths[path] = item }
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object(components)],
        ]
    }

    static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    static var sharedSchemas: JSONObject {
        [
            objectMetaName: [
                "description": "Standard object's metadata.",
                "type": "object",
                "properties": [
                    "name": ["type": "string", "description": "Name must be unique within a namespace."],
                    "generateName": ["type": "string"],
                    "namespace": ["type": "string", "description": "Namespace defines the space within which each name must be unique."],
                    "labels": ["type": "object", "additionalProperties": ["type": "string"]],
                    "annotations": ["type": "object", "additionalProperties": ["type": "string"]],
                    "finalizers": ["type": "array", "items": ["type": "string"]],
                    "ownerReferences": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                    "uid": ["type": "string"], "resourceVersion": ["type": "string"], "generation": ["type": "integer", "format": "int64"],
                    "creationTimestamp": ["type": "string", "format": "date-time"],
                    "deletionTimestamp": ["type": "string", "format": "date-time"],
                    "deletionGracePeriodSeconds": ["type": "integer", "format": "int64"],
                    "managedFields": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                ],
            ],
        ]
    }

    /// `io.k8s.api.apps.v1.Deployment` for built-ins, `homework.otus.v1.MySQL` (the group
    /// reversed, as kube-apiserver names them) for custom resources.
    static func schemaName(_ gvk: GroupVersionKind) -> String {
        if gvk.group == "apiextensions.k8s.io" { return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(gvk.version).\(gvk.kind)" }
        if isBuiltIn(gvk.group) {
            let short = gvk.group.isEmpty ? "core" : String(gvk.group.split(separator: ".").first ?? "")
            return "io.k8s.api.\(short).\(gvk.version).\(gvk.kind)"
        }
        return gvk.group.split(separator: ".").reversed().joined(separator: ".") + ".\(gvk.version).\(gvk.kind)"
    }

    static func gvkExtension(_ gvk: GroupVersionKind) -> JSON {
        ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
    }

    /// The kind's schema: the CRD's, with apiVersion/kind/metadata added, or a permissive one.
    func schema(_ info: ResourceInfo, metadataRef: JSON) -> JSON {
        var s: JSON
        if let declared = schemas[info.gvk], case .object = declared {
            s = declared
            if s["type"] == nil { s["type"] = "object" }
        } else {
            s = [
                "description": .string("\(info.kind) (\(info.gvk.apiVersion)); fields are not modelled by the yopf dev-cluster."),
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
                "x-kubernetes-preserve-unknown-fields": true,
            ]
            // The spec's own fields, one level deep, so that `kubectl explain KIND.spec.FIELD` finds them.
            if let fields = BuiltinSpecFields.fields(group: info.gvr.group, resource: info.gvr.resource) {
                var specProperties = JSONObject()
                for (name, type) in fields.sorted(by: { $0.key < $1.key }) {
                    specProperties[name] = type == "object" ? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                        : type == "array" ? ["type": "array", "items": OpenAPIDocuments.stringLists.contains(name)
                            ? ["type": "string"] : ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]
                        : ["type": .string(type)]
                }
                s.set(.object(specProperties), at: ["properties", "spec", "properties"])
                s.set(.string("\(info.kind)Spec; the dev-cluster models its fields one level deep."), at: ["properties", "spec", "description"])
            }
        }
        var properties = s["properties"]?.object ?? [:]
        properties["apiVersion"] = ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."]
        properties["kind"] = ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."]
        properties["metadata"] = ["allOf": [metadataRef], "description": "Standard object's metadata.", "default": [:]]
        s["properties"] = .object(properties)
        s["x-kubernetes-group-version-kind"] = [OpenAPIDocuments.gvkExtension(info.gvk)]
        return s
    }

    /// Spec fields of built-in kinds that are lists of strings (the others are lists of objects).
    static let stringLists: Set<String> = ["clusterIPs", "externalIPs", "loadBalancerSourceRanges", "ipFamilies"]

    func pathItems(_ info: ResourceInfo, responseSchema: JSON) -> [(String, JSON)] {
        let prefix = info.gvr.group.isEmpty ? "/api/\(info.gvr.version)" : "/apis/\(info.gvr.group)/\(info.gvr.version)"
        let scope = info.namespaced ? "\(prefix)/namespaces/{namespace}/\(info.gvr.resource)" : "\(prefix)/\(info.gvr.resource)"
        let gvk = OpenAPIDocuments.gvkExtension(info.gvk)
        let response: JSON = ["200": ["description": "OK", "content": ["application/json": ["schema": responseSchema]]]]
        func operation(_ id: String, _ action: String, _ query: [String]) -> JSON {
            [
                "operationId": .string(id), "responses": response,
                "parameters": .array(query.map { ["name": .string($0), "in": "query", "schema": ["type": "string"], "uniqueItems": true] }),
                "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
            ]
        }
        let writeQuery = ["dryRun", "fieldManager", "fieldValidation"]
        var collection: JSON = ["get": operation("list\(info.kind)", "list", ["labelSelector", "fieldSelector", "limit", "continue", "watch"])]
        collection["post"] = operation("create\(info.kind)", "post", writeQuery)
        var item: JSON = ["get": operation("read\(info.kind)", "get", [])]
        item["put"] = operation("replace\(info.kind)", "put", writeQuery)
        item["patch"] = operation("patch\(info.kind)", "patch", writeQuery + ["force"])
        item["delete"] = operation("delete\(info.kind)", "delete", ["dryRun", "gracePeriodSeconds", "propagationPolicy"])
        var result = [(scope, collection), ("\(scope)/{name}", item)]
        for sub in info.subresources where sub == "status" || sub == "scale" {
            var subItem: JSON = ["get": operation("read\(info.kind)\(sub.capitalized)", "get", [])]
            subItem["put"] = operation("replace\(info.kind)\(sub.capitalized)", "put", writeQuery)
            subItem["patch"] = operation("patch\(info.kind)\(sub.capitalized)", "patch", writeQuery + ["force"])
            result.append(("\(scope)/{name}/\(sub)", subItem))
        }
        return result
    }

    // MARK: v2

    /// Swagger 2.0 JSON with the same schemas as definitions.
    public func v2Document() -> JSON {
        var definitions = OpenAPIDocuments.sharedSchemas
        let ref: JSON = ["$ref": .string("#/definitions/\(OpenAPIDocuments.objectMetaName)")]
        for info in resources {
            definitions[OpenAPIDocuments.schemaName(info.gvk)] = schema(info, metadataRef: ref)
        }
        return ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": [:], "definitions": .object(definitions)]
    }

    /// A minimal protobuf `openapi.v2.Document` (swagger "2.0", title, version, no
    /// definitions) for clients that only accept protobuf: they then find no schema for
    /// any kind and leave validation to the server.
    public func v2Protobuf() -> [UInt8] {
        func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(payload.count)] + payload }
        let info = field(1, Array("Kubernetes".utf8)) + field(2, Array("v1.32.0".utf8))
        return field(1, Array("2.0".utf8)) + field(2, info)
    }

    /// FNV-1a 64, hex: the `hash` kubectl caches documents by.
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
