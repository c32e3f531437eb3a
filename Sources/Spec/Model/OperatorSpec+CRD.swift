import JSONValue

extension OperatorSpec {
    /// The CustomResourceDefinition the operator declares, as a whole manifest: a `crd:`
    /// file as it is, or the inline `crd:` (scope, names, versions) completed from
    /// `watch` (group, plural, kind). `status` of every version's schema keeps unknown
    /// fields unless the author said otherwise, so that `status.yopf` survives pruning.
    public func crdManifest() -> JSON? {
        switch crd {
        case nil: return nil
        case .file(_, let manifest)?: return manifest
        case .inline(let inline)?:
            let plural = watch.plural ?? inline["names"]?["plural"]?.string ?? ""
            var names = inline["names"] ?? [:]
            if names["plural"] == nil { names["plural"] = .string(plural) }
            if names["kind"] == nil, let kind = watch.kind { names["kind"] = .string(kind) }
            if names["singular"] == nil, let kind = names["kind"]?.string { names["singular"] = .string(kind.lowercased()) }
            var versions: [JSON] = []
            for var v in inline["versions"]?.array ?? [] {
                if v["served"] == nil { v["served"] = true }
                if v["storage"] == nil { v["storage"] = .bool(versions.isEmpty) }
                if v["subresources"] == nil { v["subresources"] = ["status": [:]] }
                var schema = v["schema"]?["openAPIV3Schema"] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                if schema["x-kubernetes-preserve-unknown-fields"]?.bool != true, schema["properties"]?["status"] == nil {
                    schema.set(["type": "object", "x-kubernetes-preserve-unknown-fields": true], at: ["properties", "status"])
                }
                v["schema"] = ["openAPIV3Schema": schema]
                versions.append(v)
            }
            return [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string("\(plural).\(watch.group)")],
                "spec": [
                    "group": .string(watch.group), "scope": inline["scope"] ?? "Namespaced", "names": names,
                    "versions": .array(versions),
                ],
            ]
        }
    }
}
