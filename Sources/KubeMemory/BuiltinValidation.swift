import JSONValue
import Kube

/// kube-apiserver's validation of built-in kinds, the checks everyday manifests trip over,
/// worded as kube-apiserver words them (`spec.selector: Required value`, `spec.ports[0].port:
/// Invalid value: 70000: must be between 1 and 65535, inclusive`): users grep for these and
/// tools parse them. Also the fields kube refuses to change on update (immutable fields).
///
/// Not every rule kube has: only workloads' selectors, replicas and pod templates
/// (containers, names, images, ports, restart policy), Services' ports and type, CronJob
/// schedules, ConfigMap/Secret immutability and the immutable fields of Deployments,
/// ReplicaSets, DaemonSets, StatefulSets, Jobs, Services, Secrets and CRDs. Values of Go
/// structs in messages are shown as kube shows them for selectors and label maps, as JSON
/// for larger ones (a Job's template). Called by ClusterState's create and replace (not
/// for status writes).
enum BuiltinValidation {
    typealias Cause = (field: String, message: String, type: String)

    /// The causes that make a new or changed object invalid; empty when it is valid.
    static func validate(_ o: JSON, type: ResourceType) -> [Cause] {
        guard !type.isCustom else { return [] }
        let spec = o["spec"] ?? .null
        switch (type.gvr.group, type.gvr.resource) {
        case ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"):
            return workload(spec, resource: type.gvr.resource)
        case ("batch", "jobs"):
            return jobSpec(spec, at: "spec")
        case ("batch", "cronjobs"):
            var causes: [Cause] = []
            if (spec["schedule"]?.string ?? "").isEmpty { causes.append(required("spec.schedule")) }
            for policy in [spec["concurrencyPolicy"]?.string].compactMap({ $0 }) where !["Allow", "Forbid", "Replace"].contains(policy) {
                causes.append(unsupported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]))
            }
            return causes + jobSpec(spec["jobTemplate"]?["spec"] ?? .null, at: "spec.jobTemplate.spec")
        case ("", "pods"):
            return podSpec(spec, at: "spec", restartPolicies: nil)
        case ("", "services"):
            return service(spec)
        default:
            return []
        }
    }

    /// The changes kube refuses from `old` to `new` (same kind, not a status write).
    static func immutable(old: JSON, new: JSON, type: ResourceType) -> [Cause] {
        if type.isCustom { return [] }
        var causes: [Cause] = []
        let oldSpec = old["spec"] ?? .null, newSpec = new["spec"] ?? .null
        switch (type.gvr.group, type.gvr.resource) {
        case ("", "configmaps"), ("", "secrets"):
            if type.gvr.resource == "secrets", let was = old["type"]?.string, let now = new["type"]?.string, was != now {
                causes.append(("type", "Invalid value: \(JSON.quote(now)): field is immutable", "FieldValueInvalid"))
            }
            guard old["immutable"]?.bool == true else { break }
            let message = "Forbidden: field is immutable when `immutable` is set"
            if new["immutable"]?.bool != true { causes.append(("immutable", message, "FieldValueForbidden")) }
            for field in ["data", "binaryData"] where nonEmpty(old[field]) != nonEmpty(new[field]) {
                causes.append((field, message, "FieldValueForbidden"))
            }
        case ("apps", "deployments"), ("apps", "replicasets"), ("apps", "daemonsets"):
            if oldSpec["selector"] != newSpec["selector"] {
                causes.append(("spec.selector", "Invalid value: \(goSelector(newSpec["selector"])): field is immutable", "FieldValueInvalid"))
            }
        case ("apps", "statefulsets"):
            var a = oldSpec, b = newSpec
            for field in ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] {
                a[field] = nil
                b[field] = nil
            }
            if a != b {
                causes.append(("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", "FieldValueForbidden"))
            }
        case ("batch", "jobs"):
            if oldSpec["selector"] != newSpec["selector"] {
                causes.append(("spec.selector", "Invalid value: \(goSelector(newSpec["selector"])): field is immutable", "FieldValueInvalid"))
            }
            // kube lets a suspended Job that never started change its template's scheduling
            // directives; any other change to the template is refused.
            if oldSpec["template"] != newSpec["template"], oldSpec["suspend"]?.bool != true {
                causes.append(("spec.template", "Invalid value: \((newSpec["template"] ?? .null).serialized(sortedKeys: true)): field is immutable", "FieldValueInvalid"))
            }
            if let c = newSpec["completions"], oldSpec["completions"] != c, newSpec["completionMode"]?.string != "Indexed" {
                causes.append(("spec.completions", "Invalid value: \(c.serialized()): field is immutable", "FieldValueInvalid"))
            }
        case ("", "services"):
            let was = clusterIPs(oldSpec), now = clusterIPs(newSpec)
            if !was.isEmpty, newSpec["type"]?.string != "ExternalName", !now.isEmpty, now.first != was.first {
                let list = now.map { JSON.quote($0) }.joined(separator: ", ")
                causes.append(("spec.clusterIPs[0]", "Invalid value: []string{\(list)}: may not change once set", "FieldValueInvalid"))
            }
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            for field in ["scope", "group"] {
                if let a = oldSpec[field]?.string, let b = newSpec[field]?.string, a != b {
                    causes.append(("spec.\(field)", "Invalid value: \(JSON.quote(b)): field is immutable", "FieldValueInvalid"))
                }
            }
        default:
            break
        }
        return causes
    }

    // MARK: Kinds

    static func workload(_ spec: JSON, resource: String) -> [Cause] {
        var causes: [Cause] = []
        let selector = spec["selector"]
        let selectorObject = selector?.object
        if selector == nil || selector?.isNull == true {
            causes.append(required("spec.selector"))
        } else if let s = selectorObject, nonEmpty(s["matchLabels"]) == nil, nonEmpty(s["matchExpressions"]) == nil {
            let what = resource == "statefulsets" ? "empty selector is invalid for statefulset"
                : resource == "daemonsets" ? "empty selector is not valid for daemonset." : "empty selector is invalid for deployment"
            causes.append(("spec.selector", "Invalid value: \(goSelector(selector)): \(what)", "FieldValueInvalid"))
        }
        if let replicas = spec["replicas"]?.int, replicas < 0 {
            causes.append(("spec.replicas", "Invalid value: \(replicas): must be greater than or equal to 0", "FieldValueInvalid"))
        }
        let template = spec["template"] ?? .null
        let labels = LabelSelector.labels(of: template)
        let matches: Bool
        if let selectorObject {
            let text = LabelSelector.string(fromObject: .object(selectorObject))
            matches = (try? LabelSelector(parsing: text))?.matches(labels) ?? false
        } else {
            matches = false
        }
        if !matches {
            causes.append(("spec.template.metadata.labels", "Invalid value: \(goStringMap(labels)): `selector` does not match template `labels`", "FieldValueInvalid"))
        }
        return causes + podSpec(template["spec"] ?? .null, at: "spec.template.spec", restartPolicies: resource == "statefulsets" || resource == "daemonsets" || resource == "deployments" || resource == "replicasets" ? ["Always"] : nil)
    }

    static func jobSpec(_ spec: JSON, at path: String) -> [Cause] {
        var causes: [Cause] = []
        for field in ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"] {
            if let n = spec[field]?.int, n < (field == "activeDeadlineSeconds" ? 1 : 0) {
                let bound = field == "activeDeadlineSeconds" ? "must be greater than 0" : "must be greater than or equal to 0"
                causes.append(("\(path).\(field)", "Invalid value: \(n): \(bound)", "FieldValueInvalid"))
            }
        }
        return causes + podSpec(spec["template"]?["spec"] ?? .null, at: "\(path).template.spec", restartPolicies: ["OnFailure", "Never"])
    }

    /// A pod spec: containers (names, images, ports) and, for controllers, the restart
    /// policies their pods may have.
    static func podSpec(_ spec: JSON, at path: String, restartPolicies: [String]?) -> [Cause] {
        var causes: [Cause] = []
        let containers = spec["containers"]?.array ?? []
        if containers.isEmpty { causes.append(required("\(path).containers")) }
        for (kind, list) in [("initContainers", spec["initContainers"]?.array ?? []), ("containers", containers)] {
            var names: Set<String> = []
            for (i, c) in list.enumerated() {
                let at = "\(path).\(kind)[\(i)]"
                let name = c["name"]?.string ?? ""
                if name.isEmpty {
                    causes.append(required("\(at).name"))
                } else if let why = NameRule.label.violation(name) {
                    causes.append(("\(at).name", "Invalid value: \(JSON.quote(name)): \(why)", "FieldValueInvalid"))
                } else if !names.insert(name).inserted {
                    causes.append(("\(at).name", "Duplicate value: \(JSON.quote(name))", "FieldValueDuplicate"))
                }
                if (c["image"]?.string ?? "").isEmpty { causes.append(required("\(at).image")) }
                for (j, p) in (c["ports"]?.array ?? []).enumerated() {
                    if let n = p["containerPort"]?.int, !(1...65535).contains(n) {
                        causes.append(("\(at).ports[\(j)].containerPort", "Invalid value: \(n): \(portRange)", "FieldValueInvalid"))
                    }
                }
            }
        }
        if let allowed = restartPolicies {
            if let policy = spec["restartPolicy"]?.string, !policy.isEmpty {
                if !allowed.contains(policy) { causes.append(unsupported("\(path).restartPolicy", policy, allowed)) }
            } else if allowed != ["Always"] {
                causes.append(("\(path).restartPolicy", "Required value: valid values: \(allowed.map { JSON.quote($0) }.joined(separator: ", "))", "FieldValueRequired"))
            }
        }
        return causes
    }

    static func service(_ spec: JSON) -> [Cause] {
        var causes: [Cause] = []
        let type = spec["type"]?.string ?? "ClusterIP"
        let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
        if !types.contains(type) { causes.append(unsupported("spec.type", type, types)) }
        let ports = spec["ports"]?.array ?? []
        if ports.isEmpty, type != "ExternalName" { causes.append(required("spec.ports")) }
        if type == "ExternalName", (spec["externalName"]?.string ?? "").isEmpty { causes.append(required("spec.externalName")) }
        for (i, p) in ports.enumerated() {
            let at = "spec.ports[\(i)]"
            if ports.count > 1, (p["name"]?.string ?? "").isEmpty { causes.append(required("\(at).name")) }
            let port = p["port"]?.int ?? 0
            if !(1...65535).contains(port) { causes.append(("\(at).port", "Invalid value: \(port): \(portRange)", "FieldValueInvalid")) }
            if let proto = p["protocol"]?.string, !["SCTP", "TCP", "UDP"].contains(proto) {
                causes.append(unsupported("\(at).protocol", proto, ["SCTP", "TCP", "UDP"]))
            }
            if let target = p["targetPort"]?.int, !(1...65535).contains(target) {
                causes.append(("\(at).targetPort", "Invalid value: \(target): \(portRange)", "FieldValueInvalid"))
            }
            if let node = p["nodePort"]?.int, node != 0, !(30000...32767).contains(node) {
                causes.append(("\(at).nodePort", "Invalid value: \(node): provided port is not in the valid range. The range of valid ports is 30000-32767", "FieldValueInvalid"))
            }
        }
        return causes
    }

    // MARK: Wording

    static let portRange = "must be between 1 and 65535, inclusive"

    static func required(_ field: String) -> Cause { (field, "Required value", "FieldValueRequired") }

    static func unsupported(_ field: String, _ value: String, _ supported: [String]) -> Cause {
        (field, "Unsupported value: \(JSON.quote(value)): supported values: \(supported.map { JSON.quote($0) }.joined(separator: ", "))", "FieldValueNotSupported")
    }

    /// Go's `%#v` of a `map[string]string`: keys sorted, `map[string]string(nil)` when empty.
    static func goStringMap(_ map: [String: String]) -> String {
        guard !map.isEmpty else { return "map[string]string(nil)" }
        return "map[string]string{" + map.sorted { $0.key < $1.key }.map { "\(JSON.quote($0.key)):\(JSON.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    /// Go's `%#v` of a `v1.LabelSelector`, as kube's immutable-field messages show it.
    static func goSelector(_ selector: JSON?) -> String {
        let s = selector ?? .null
        if s.isNull { return "(*v1.LabelSelector)(nil)" }
        var labels: [String: String] = [:]
        for (k, v) in s["matchLabels"]?.object ?? [:] { labels[k] = v.string ?? v.serialized() }
        let expressions = (s["matchExpressions"]?.array ?? []).map { e -> String in
            let values = (e["values"]?.array ?? []).map { JSON.quote($0.string ?? $0.serialized()) }
            let list = values.isEmpty ? "[]string(nil)" : "[]string{\(values.joined(separator: ", "))}"
            return "v1.LabelSelectorRequirement{Key:\(JSON.quote(e["key"]?.string ?? "")), Operator:\(JSON.quote(e["operator"]?.string ?? "")), Values:\(list)}"
        }
        let exprs = expressions.isEmpty ? "[]v1.LabelSelectorRequirement(nil)" : "[]v1.LabelSelectorRequirement{\(expressions.joined(separator: ", "))}"
        return "v1.LabelSelector{MatchLabels:\(goStringMap(labels)), MatchExpressions:\(exprs)}"
    }

    /// nil for an absent, null or empty object/array (Go's omitempty makes them the same).
    static func nonEmpty(_ v: JSON?) -> JSON? {
        guard let v, !v.isNull else { return nil }
        if let o = v.object, o.isEmpty { return nil }
        if let a = v.array, a.isEmpty { return nil }
        return v
    }

    static func clusterIPs(_ spec: JSON) -> [String] {
        let list = (spec["clusterIPs"]?.array ?? []).compactMap(\.string).filter { !$0.isEmpty }
        if !list.isEmpty { return list }
        return [spec["clusterIP"]?.string].compactMap { $0 }.filter { !$0.isEmpty }
    }
}
