import JSONValue
import YAMLLoader

/// The top of an operator file: `apiVersion`, `kind`, `metadata`, and in `spec` the watch,
/// the handlers and the operator-wide settings.
extension SpecReader {
    func readOperator() -> OperatorSpec? {
        guard let document = object(root, in: "the operator file", known: Schema.document,
            required: ["apiVersion", "kind", "metadata", "spec"])
        else { return nil }
        if let node = document["apiVersion"], let version = string(node), version != OperatorSpec.apiVersion {
            report("unsupported apiVersion \"\(version)\": this yopf reads \"\(OperatorSpec.apiVersion)\"", at: node)
        }
        if let node = document["kind"], let kind = string(node), kind != OperatorSpec.kind {
            report("kind must be \"\(OperatorSpec.kind)\", got \"\(kind)\"", at: node)
        }
        let metadata = object(document["metadata"], in: "metadata", known: Schema.metadata, required: ["name"])
        let name = resourceName(metadata?["name"])
        _ = stringMap(metadata?["labels"])
        _ = stringMap(metadata?["annotations"])

        let spec = object(document["spec"], in: "spec", known: Schema.spec, required: ["watch", "handlers"])
        let watch = readWatch(spec?["watch"])
        let serviceAccount = expression(spec?["serviceAccount"], role: "serviceAccount")
        let handlers = readHandlers(spec?["handlers"])
        let crd = readCRD(spec?["crd"])
        let rbac = readRBAC(spec?["rbac"])
        let settings = readSettings(spec?["settings"])
        let owns = readOwns(spec?["owns"])
        let resync = readResync(spec?["resync"])
        let concurrency = readConcurrency(spec?["concurrency"], what: "operator")
        guard let name, let watch, let handlers else { return nil }
        if let resync, let node = spec?["resync"], !handlers.contains(where: { $0.on == .reconcile }) {
            report("resync: \(Durations.format(resync)) has nothing to run: add a handler with on: reconcile", at: node, onKey: true)
        }
        if let owned = owns, !owned.isEmpty, let node = spec?["owns"], !handlers.contains(where: { $0.on == .reconcile }) {
            report("owns: a change of an owned child runs the reconcile handlers, and there are none: add a handler with on: reconcile",
                at: node, onKey: true)
        }
        return OperatorSpec(
            name: name, watch: watch, handlers: handlers, serviceAccount: serviceAccount, crd: crd,
            rbac: rbac ?? [], settings: settings ?? OperatorSettings(), owns: owns ?? [], resync: resync,
            concurrency: concurrency)
    }

    /// A Kubernetes object name (RFC 1123 subdomain).
    func resourceName(_ node: Node?) -> String? {
        guard let node, let name = nonEmptyString(node) else { return nil }
        let scalars = Array(name.unicodeScalars)
        let allowed = scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
        let alnum: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard allowed, scalars.count <= 253, let first = scalars.first, let last = scalars.last, alnum(first), alnum(last) else {
            report("\(node.label): invalid name \"\(name)\": use lowercase letters, digits, \"-\" and \".\", "
                + "starting and ending with a letter or digit", at: node)
            return nil
        }
        return name
    }

    func readWatch(_ node: Node?) -> WatchSpec? {
        guard let watch = object(node, in: "watch", known: Schema.watch, required: ["version"]) else { return nil }
        var group: String? = ""
        if let node = watch["group"] { group = string(node) }
        let version = nonEmptyString(watch["version"])
        let plural = nonEmptyString(watch["plural"])
        let kind = nonEmptyString(watch["kind"])
        if watch["plural"] == nil && watch["kind"] == nil {
            report("watch needs \"plural\" (e.g. mysqls) or \"kind\" (e.g. MySQL) to name the watched resource",
                at: watch)
        }
        if let plural, let node = watch["plural"], plural != plural.lowercased() {
            report("plural: must be lowercase (the resource's name in API paths, e.g. \"mysqls\"), got \"\(plural)\"",
                at: node)
        }
        let namespaced = bool(watch["namespaced"])
        let selector = readLabelSelector(watch["selector"])
        let filter = expression(watch["filter"], role: "filter")
        guard let group, let version else { return nil }
        return WatchSpec(
            group: group, version: version, plural: plural, kind: kind, namespaced: namespaced,
            selector: selector, filter: filter)
    }

    /// `{matchLabels: {…}, matchExpressions: [{key, operator, values}]}` (literal values).
    func readLabelSelector(_ node: Node?) -> LabelSelector? {
        guard let selector = object(node, in: "selector", known: Schema.selector) else { return nil }
        let labels = stringMap(selector["matchLabels"]) ?? [:]
        var requirements: [LabelRequirement] = []
        if let list = selector["matchExpressions"] {
            if case .array = list.value {
                for item in list.items {
                    if let requirement = readLabelRequirement(item) { requirements.append(requirement) }
                }
            } else {
                reportType(list, expected: "a list")
            }
        }
        return LabelSelector(matchLabels: labels, matchExpressions: requirements)
    }

    private func readLabelRequirement(_ node: Node) -> LabelRequirement? {
        guard let item = object(node, in: "matchExpressions item", known: Schema.requirement, required: ["key", "operator"])
        else { return nil }
        let key = nonEmptyString(item["key"])
        let op = enumeration(item["operator"], LabelRequirement.Operator.self)
        let values = stringList(item["values"]) ?? []
        guard let key, let op else { return nil }
        let needsValues = op == .in || op == .notIn
        if needsValues && values.isEmpty {
            report("operator \(op.rawValue) needs a non-empty \"values\" list", at: item["values"] ?? item)
            return nil
        }
        if !needsValues && !values.isEmpty {
            report("operator \(op.rawValue) takes no \"values\"", at: item["values"] ?? item)
            return nil
        }
        return LabelRequirement(key: key, operator: op, values: values)
    }

    func readCRD(_ node: Node?) -> CRDSource? {
        guard let node else { return nil }
        switch node.value {
        case .string:
            guard let path = nonEmptyString(node), let readers = loadYAMLFile(path, what: "CRD file", at: node) else { return nil }
            let documents = readers.filter { !$0.document.value.isNull }
            guard documents.count == 1, let crd = documents.first else {
                report("crd: \"\(path)\" must hold exactly one CustomResourceDefinition, found \(documents.count) documents",
                    at: node)
                return nil
            }
            if let kind = crd.document.value["kind"]?.string, kind == "CustomResourceDefinition" {
                return .file(path: path, manifest: crd.document.value)
            }
            crd.report("expected a CustomResourceDefinition (apiextensions.k8s.io/v1)", at: crd.root)
            return nil
        case .object:
            guard let crd = object(node, in: "crd", known: Schema.crd, required: ["versions"]) else { return nil }
            if let scope = crd["scope"], let text = string(scope), text != "Namespaced", text != "Cluster" {
                report("scope: invalid value \"\(text)\" (expected one of: Namespaced, Cluster)"
                    + Suggestion.hint(for: text, among: ["Namespaced", "Cluster"]), at: scope)
            }
            if let names = crd["names"] { object(names, in: "crd names", known: ["kind", "plural", "listKind", "singular", "shortNames", "categories"]) }
            if let versions = crd["versions"] {
                if case .array(let items) = versions.value, !items.isEmpty {
                    for item in versions.items {
                        if let version = object(item, in: "crd version", known: Schema.crdVersion, required: ["name"]) {
                            _ = nonEmptyString(version["name"])
                            _ = bool(version["served"])
                            _ = bool(version["storage"])
                            if let schema = version["schema"] { object(schema, in: "crd version schema", known: ["openAPIV3Schema"]) }
                        }
                    }
                } else {
                    reportType(versions, expected: "a non-empty list")
                }
            }
            return .inline(node.value)
        default:
            reportType(node, expected: "a file path or an object")
            return nil
        }
    }

    func readRBAC(_ node: Node?) -> [RBACRule]? {
        guard let node else { return nil }
        guard case .array = node.value else {
            reportType(node, expected: "a list of rules")
            return nil
        }
        return node.items.compactMap { item in
            guard let rule = object(item, in: "rbac rule", known: Schema.rbacRule, required: ["apiGroups", "resources", "verbs"])
            else { return nil }
            let groups = stringList(rule["apiGroups"])
            let resources = stringList(rule["resources"])
            let verbs = stringList(rule["verbs"])
            let names = stringList(rule["resourceNames"]) ?? []
            guard let groups, let resources, let verbs else { return nil }
            return RBACRule(apiGroups: groups, resources: resources, verbs: verbs, resourceNames: names)
        }
    }

    func readSettings(_ node: Node?) -> OperatorSettings? {
        guard let settings = object(node, in: "settings", known: Schema.settings) else { return nil }
        var result = OperatorSettings()
        result.concurrency = int(settings["concurrency"], minimum: 1, maximum: Limits.maximumConcurrency)
        if let node = settings["finalizer"], let finalizer = nonEmptyString(node) {
            if finalizer.contains("/") {
                result.finalizer = finalizer
            } else {
                report("finalizer: \"\(finalizer)\" must be a qualified name such as example.com/cleanup", at: node)
            }
        }
        return result
    }
}
