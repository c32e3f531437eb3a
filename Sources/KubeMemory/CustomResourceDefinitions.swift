import JSONValue
import Kube

/// What an `apiextensions.k8s.io/v1 CustomResourceDefinition` means to the server:
/// its validation, the resource types it serves and the status kube's controllers give it.
enum CustomResourceDefinitions {
    typealias Cause = (field: String, message: String, type: String)

    /// The checks kube makes before accepting a CRD (the ones operators trip over).
    static func validate(_ crd: JSON) -> [Cause] {
        var causes: [Cause] = []
        let spec = crd["spec"] ?? .null
        let group = spec["group"]?.string ?? ""
        let plural = spec["names"]?["plural"]?.string ?? ""
        if group.isEmpty { causes.append(("spec.group", "Required value", "FieldValueRequired")) }
        if plural.isEmpty { causes.append(("spec.names.plural", "Required value", "FieldValueRequired")) }
        if (spec["names"]?["kind"]?.string ?? "").isEmpty {
            causes.append(("spec.names.kind", "Required value", "FieldValueRequired"))
        }
        let scope = spec["scope"]?.string ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            causes.append(("spec.scope", "Unsupported value: \(JSON.quote(scope)): supported values: \"Cluster\", \"Namespaced\"", "FieldValueNotSupported"))
        }
        let versions = spec["versions"]?.array ?? []
        if versions.isEmpty {
            causes.append(("spec.versions", "Invalid value: \"null\": must have exactly one version marked as storage version", "FieldValueInvalid"))
        } else if versions.filter({ $0["storage"]?.bool == true }).count != 1 {
            causes.append(("spec.versions", "Invalid value: \(JSON.array(versions.map { $0["name"] ?? .null }).serialized()): must have exactly one version marked as storage version", "FieldValueInvalid"))
        }
        for (i, v) in versions.enumerated() where (v["name"]?.string ?? "").isEmpty {
            causes.append(("spec.versions[\(i)].name", "Required value", "FieldValueRequired"))
        }
        let name = crd.objectName
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            causes.append(("metadata.name", "Invalid value: \(JSON.quote(name)): must be spec.names.plural+\".\"+spec.group", "FieldValueInvalid"))
        }
        return causes
    }

    /// The resource types of the CRD's served versions.
    static func types(from crd: JSON) -> [ResourceType] {
        let spec = crd["spec"] ?? .null
        let names = spec["names"] ?? .null
        let group = spec["group"]?.string ?? ""
        let plural = names["plural"]?.string ?? ""
        let kind = names["kind"]?.string ?? ""
        let strings: (JSON?) -> [String] = { ($0?.array ?? []).compactMap(\.string) }
        var out: [ResourceType] = []
        for v in spec["versions"]?.array ?? [] where v["served"]?.bool != false {
            guard let version = v["name"]?.string else { continue }
            let sub = v["subresources"] ?? .null
            var subresources: [String] = []
            if sub["status"] != nil { subresources.append("status") }
            var scale: ScalePaths?
            if let s = sub["scale"] {
                subresources.append("scale")
                scale = ScalePaths(
                    specReplicas: ScalePaths.path(s["specReplicasPath"]?.string ?? ".spec.replicas"),
                    statusReplicas: ScalePaths.path(s["statusReplicasPath"]?.string ?? ".status.replicas"),
                    labelSelector: s["labelSelectorPath"]?.string.map(ScalePaths.path), builtinSelector: false)
            }
            let info = ResourceInfo(
                gvr: GroupVersionResource(group: group, version: version, resource: plural), kind: kind,
                singular: names["singular"]?.string ?? kind.lowercased(), namespaced: spec["scope"]?.string != "Cluster",
                shortNames: strings(names["shortNames"]), categories: strings(names["categories"]),
                subresources: subresources)
            let openAPI = v["schema"]?["openAPIV3Schema"]
            let fields = (v["selectableFields"]?.array ?? []).compactMap { $0["jsonPath"]?.string }
                .map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
            out.append(ResourceType(
                info: info, hasStatus: sub["status"] != nil, scale: scale, tracksGeneration: true,
                nameRule: .subdomain, fieldLabels: Set(fields), crdName: crd.objectName,
                openAPISchema: openAPI, schema: openAPI.map { StructuralSchema($0) }))
        }
        return out
    }

    /// The CRD with the status kube's controllers would give it: names accepted (or a
    /// conflict) and Established. Keeps transition times of conditions that did not change.
    static func withStatus(_ crd: JSON, conflict: String?, now: String) -> JSON {
        var crd = crd
        let spec = crd["spec"] ?? .null
        let names = spec["names"] ?? .null
        let kind = names["kind"]?.string ?? ""
        var accepted: JSON = [
            "plural": names["plural"] ?? "", "singular": names["singular"] ?? .string(kind.lowercased()),
            "kind": .string(kind), "listKind": names["listKind"] ?? .string(kind + "List"),
        ]
        if let s = names["shortNames"] { accepted["shortNames"] = s }
        if let c = names["categories"] { accepted["categories"] = c }
        let old = crd["status"]?["conditions"]?.array ?? []
        func condition(_ type: String, _ ok: Bool, _ reason: String, _ message: String) -> JSON {
            let status = ok ? "True" : "False"
            let previous = old.first { $0["type"]?.string == type && $0["status"]?.string == status }
            return ["type": .string(type), "status": .string(status),
                    "lastTransitionTime": previous?["lastTransitionTime"] ?? .string(now),
                    "reason": .string(reason), "message": .string(message)]
        }
        var conditions: [JSON]
        if let conflict {
            conditions = [condition("NamesAccepted", false, "ResourceNameConflict", conflict),
                          condition("Established", false, "NotAccepted", "not all names are accepted")]
        } else {
            conditions = [condition("NamesAccepted", true, "NoConflicts", "no conflicts found"),
                          condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted")]
        }
        if crd.isBeingDeleted {
            conditions.append(condition("Terminating", true, "InstanceDeletionInProgress", "CustomResource deletion is in progress"))
        }
        let storage = (spec["versions"]?.array ?? []).filter { $0["storage"]?.bool == true }.compactMap { $0["name"] }
        var stored = crd["status"]?["storedVersions"]?.array ?? []
        for s in storage where !stored.contains(s) { stored.append(s) }
        crd["status"] = ["acceptedNames": conflict == nil ? accepted : (crd["status"]?["acceptedNames"] ?? [:]),
                         "conditions": .array(conditions), "storedVersions": .array(stored)]
        return crd
    }
}
