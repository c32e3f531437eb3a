import JSONValue
import YAMLLoader
import Platform

/// Steps that create, change or read Kubernetes objects.
extension SpecReader {
    /// The manifests of `apply`/`create`/`job`: a template file path or an inline object.
    private func readManifests(_ node: Node, kind: StepKind) -> (ManifestSource, [TemplateValue])? {
        switch node.value {
        case .string:
            guard let file = templateFile(node), let path = node.value.string else { return nil }
            return (.file(path), file.documents)
        case .object:
            guard checkManifest(node), let value = template(node, role: "manifest") else { return nil }
            return (.inline, [value])
        default:
            reportType(node, expected: "a template file path or a manifest (an object)")
            return nil
        }
    }

    func readApply(_ node: Node, step: Node) -> ApplyAction? {
        let manifests = readManifests(node, kind: .apply)
        let ifExists = enumeration(step["ifExists"], ApplyAction.IfExists.self)
        let namespace = templateString(step["namespace"], role: "namespace")
        guard let (source, values) = manifests, step["ifExists"] == nil || ifExists != nil,
            step["namespace"] == nil || namespace != nil
        else { return nil }
        return ApplyAction(source: source, manifests: values, ifExists: ifExists ?? .update, namespace: namespace)
    }

    func readCreate(_ node: Node, step: Node) -> CreateAction? {
        let manifests = readManifests(node, kind: .create)
        let ifExists = enumeration(step["ifExists"], CreateAction.IfExists.self)
        let namespace = templateString(step["namespace"], role: "namespace")
        guard let (source, values) = manifests, step["ifExists"] == nil || ifExists != nil,
            step["namespace"] == nil || namespace != nil
        else { return nil }
        return CreateAction(source: source, manifests: values, ifExists: ifExists ?? .fail, namespace: namespace)
    }

    func readJob(_ node: Node, step: Node) -> JobAction? {
        let manifests = readManifests(node, kind: .job)
        let wait = bool(step["wait"])
        let cleanup = bool(step["cleanup"])
        let namespace = templateString(step["namespace"], role: "namespace")
        guard let (source, values) = manifests else { return nil }
        guard values.count == 1, let manifest = values.first else {
            report("a job step needs exactly one Job manifest, found \(values.count)", at: node)
            return nil
        }
        if let kind = manifest.value["kind"]?.string, kind != "Job" {
            report("a job step needs a Job (batch/v1), got a \(kind)", at: node)
            return nil
        }
        guard step["wait"] == nil || wait != nil, step["cleanup"] == nil || cleanup != nil,
            step["namespace"] == nil || namespace != nil
        else { return nil }
        return JobAction(source: source, manifest: manifest, wait: wait ?? true, cleanup: cleanup ?? false, namespace: namespace)
    }

    /// `apiVersion` (optional), `kind`, `name` (when `needsName`), `namespace` of a target
    /// written inline in the step's object.
    private func readTarget(_ node: Node, needsName: Bool) -> ObjectTarget? {
        let apiVersion = literalString(node["apiVersion"])
        let kind = literalString(node["kind"])
        let name = templateString(node["name"], role: "name")
        let namespace = templateString(node["namespace"], role: "namespace")
        if node["kind"] == nil { report("missing required field \"kind\" in \(node.label)", at: node) }
        if needsName, node["name"] == nil { report("missing required field \"name\" in \(node.label)", at: node) }
        guard let kind, node["apiVersion"] == nil || apiVersion != nil, !needsName || name != nil,
            node["namespace"] == nil || namespace != nil
        else { return nil }
        return ObjectTarget(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace)
    }

    func readPatch(_ node: Node) -> PatchAction? {
        guard let patch = object(node, in: "patch", known: Schema.patch) else { return nil }
        var target: ObjectTarget?
        if patch["kind"] != nil {
            guard let found = readTarget(patch, needsName: true) else { return nil }
            target = found
        } else if let stray = ["apiVersion", "name", "namespace"].compactMap({ patch[$0] }).first {
            report("patch: \"\(stray.key ?? "")\" needs \"kind\" (leave all of them out to patch the watched object)",
                at: stray, onKey: true)
            return nil
        }
        switch (patch["merge"], patch["json"]) {
        case (let merge?, nil):
            guard case .object = merge.value else {
                reportType(merge, expected: "an object (a merge patch)")
                return nil
            }
            return template(merge, role: "merge patch").map { PatchAction(target: target, body: .merge($0)) }
        case (nil, let json?):
            guard case .array = json.value else {
                reportType(json, expected: "a list of JSON patch operations")
                return nil
            }
            var valid = true
            for operation in json.items {
                guard object(operation, in: "JSON patch operation", known: ["op", "path", "value", "from"], required: ["op", "path"]) != nil
                else { valid = false; continue }
                if let op = operation["op"], let text = string(op) {
                    let ops = ["add", "remove", "replace", "move", "copy", "test"]
                    if !ops.contains(text) {
                        report("op: invalid value \"\(text)\" (expected one of: \(ops.joined(separator: ", ")))"
                            + Suggestion.hint(for: text, among: ops), at: op)
                        valid = false
                    }
                }
            }
            guard valid else { return nil }
            return template(json, role: "json patch").map { PatchAction(target: target, body: .json($0)) }
        case (.some, .some):
            report("patch takes \"merge\" or \"json\", not both", at: patch["json"] ?? patch, onKey: true)
            return nil
        case (nil, nil):
            report("patch needs \"merge\" (an object) or \"json\" (a list of operations)", at: patch)
            return nil
        }
    }

    func readDelete(_ node: Node) -> DeleteAction? {
        guard let delete = object(node, in: "delete", known: Schema.delete) else { return nil }
        let target = readTarget(delete, needsName: true)
        let wait = bool(delete["wait"])
        guard let target, delete["wait"] == nil || wait != nil else { return nil }
        return DeleteAction(target: target, wait: wait ?? false)
    }

    func readGet(_ node: Node) -> GetAction? {
        guard let get = object(node, in: "get", known: Schema.get) else { return nil }
        let target = readTarget(get, needsName: true)
        let optional = bool(get["optional"])
        guard let target, get["optional"] == nil || optional != nil else { return nil }
        return GetAction(target: target, optional: optional ?? false)
    }

    func readList(_ node: Node) -> ListAction? {
        guard let list = object(node, in: "list", known: Schema.list) else { return nil }
        let target = readTarget(list, needsName: false)
        var selector: TemplateValue?
        if let node = list["selector"] {
            guard let checked = object(node, in: "selector", known: Schema.selector) else { return nil }
            if let labels = checked["matchLabels"], stringMap(labels) == nil { return nil }
            if let expressions = checked["matchExpressions"] {
                guard case .array = expressions.value else {
                    reportType(expressions, expected: "a list")
                    return nil
                }
            }
            selector = template(checked, role: "selector")
            if selector == nil { return nil }
        }
        guard let target else { return nil }
        return ListAction(target: target, selector: selector)
    }

    func readScale(_ node: Node) -> ScaleAction? {
        guard let scale = object(node, in: "scale", known: Schema.scale, required: ["replicas"]) else { return nil }
        let target = readTarget(scale, needsName: true)
        var replicas: TemplateValue?
        if let node = scale["replicas"] {
            switch node.value {
            case .int(let count) where count >= 0 && count <= Int(Int32.max):
                replicas = template(node, role: "replicas")
            case .int(let count):
                report("replicas: must be from 0 to \(Int32.max) (a Kubernetes int32), got \(count)", at: node)
            case .string(let text) where text.includes("${{"):
                replicas = template(node, role: "replicas")
            default:
                report("replicas: expected a whole number of at least 0 or a ${{ }} template, got \(node.value.kindDescription)",
                    at: node)
            }
        }
        let wait = bool(scale["wait"])
        guard let target, let replicas, scale["wait"] == nil || wait != nil else { return nil }
        return ScaleAction(target: target, replicas: replicas, wait: wait ?? false)
    }

    func readWait(_ node: Node) -> WaitAction? {
        guard let wait = object(node, in: "wait", known: Schema.wait) else { return nil }
        let target = readTarget(wait, needsName: true)
        let until: WaitAction.Until?
        switch (wait["condition"], wait["until"]) {
        case (let condition?, nil):
            until = nonEmptyString(condition).map(WaitAction.Until.condition)
        case (nil, let predicate?):
            until = expression(predicate, role: "until").map(WaitAction.Until.predicate)
        case (.some, .some):
            report("wait takes \"condition\" or \"until\", not both", at: wait["until"] ?? wait, onKey: true)
            until = nil
        case (nil, nil):
            report("wait needs \"condition\" (a condition type such as Ready) or \"until\" (a jq predicate)", at: wait)
            until = nil
        }
        guard let target, let until else { return nil }
        return WaitAction(target: target, until: until)
    }
}
