import Platform
import JSONValue
import Kube

/// How a write was asked for, shared by create, update, patch and their subresources.
struct WriteRequest: Sendable {
    var manager: String
    var force: Bool
    var dryRun: Bool
    var fieldValidation: FieldValidation?
    var now: String
    var context: RequestContext

    init(options: WriteOptions, context: RequestContext, now: String = Timestamp.now()) {
        manager = options.fieldManager ?? "unknown"
        force = options.force
        dryRun = options.dryRun
        fieldValidation = options.fieldValidation
        self.now = now
        self.context = context
    }
}

extension ClusterState {
    /// Checks the body's shape, apiVersion, kind and namespace against the request and
    /// fills in what the URL implies. Returns the object and its namespace ("" if cluster-scoped).
    func normalize(_ body: JSON, type: ResourceType, urlNamespace: String?) throws -> (JSON, String) {
        guard case .object = body else {
            throw KubeError.badRequest("the body of the request must be a JSON object, not \(body.typeName)")
        }
        if let m = body["metadata"], m.object == nil {
            throw KubeError.badRequest("metadata: expected an object, got \(m.typeName)")
        }
        var object = body
        if let av = body["apiVersion"] {
            guard av.string == type.apiVersion else {
                throw KubeError.badRequest("the API version in the data (\(av.string ?? av.serialized())) does not match the expected API version (\(type.apiVersion))")
            }
        }
        if let k = body["kind"] {
            guard k.string == type.kind else {
                throw KubeError.badRequest("the kind in the data (\(k.string ?? k.serialized())) does not match the expected kind (\(type.kind))")
            }
        }
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        if object["metadata"] == nil { object["metadata"] = .emptyObject }
        for field in ["name", "namespace", "generateName", "resourceVersion", "uid"] {
            if let v = object["metadata"]?[field], v.string == nil, !v.isNull {
                throw KubeError.badRequest("metadata.\(field): expected a string, got \(v.typeName)")
            }
        }
        for field in ["labels", "annotations"] {
            if let v = object["metadata"]?[field], !v.isNull {
                guard let o = v.object, o.values.allSatisfy({ $0.string != nil }) else {
                    throw KubeError.badRequest("metadata.\(field): expected a map of strings")
                }
            }
        }
        if let v = object["metadata"]?["finalizers"], !v.isNull {
            guard let a = v.array, a.allSatisfy({ $0.string != nil }) else {
                throw KubeError.badRequest("metadata.finalizers: expected a list of strings")
            }
        }
        guard type.info.namespaced else {
            object.setMetadata("namespace", nil)
            return (object, "")
        }
        let bodyNamespace = object.objectNamespace
        let namespace: String
        if let urlNamespace, !urlNamespace.isEmpty {
            if !bodyNamespace.isEmpty, bodyNamespace != urlNamespace {
                throw KubeError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            namespace = urlNamespace
        } else if !bodyNamespace.isEmpty {
            namespace = bodyNamespace
        } else {
            throw KubeError.badRequest("the namespace of the object is required for \(KubeError.qualified(type.gvr)): set metadata.namespace or the request's namespace")
        }
        object.setMetadata("namespace", .string(namespace))
        return (object, namespace)
    }

    /// The namespace exists and accepts new objects.
    func checkNamespaceOpen(_ namespace: String, for type: ResourceType, name: String) throws {
        guard type.info.namespaced else { return }
        guard let ns = namespaceObject(namespace) else {
            throw KubeError.notFound(ObjectRef(BuiltinResources.namespaces, namespace: nil, name: namespace))
        }
        if ns.isBeingDeleted {
            throw KubeError(code: 403, reason: "Forbidden",
                            message: "\(KubeError.qualified(type.gvr)) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                            details: ["name": .string(name), "group": .string(type.gvr.group), "kind": .string(type.gvr.resource),
                                      "causes": [["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"), "field": "metadata.namespace"]]])
        }
    }

    func invalid(_ type: ResourceType, name: String, _ causes: [(field: String, message: String, type: String)]) -> KubeError {
        var e = KubeError.invalid(ObjectRef(type.gvr, namespace: nil, name: name), kind: type.qualifiedKind, causes: causes)
        e.status["details"]?["kind"] = .string(type.kind)
        e.status["details"]?["group"] = .string(type.gvr.group)
        return e
    }

    /// POST: a new object, or with `applied` the result of a server-side apply on nothing.
    mutating func create(_ type: ResourceType, urlNamespace: String?, body: JSON, request: WriteRequest, apply: Bool = false) throws -> JSON {
        var (object, namespace) = try normalize(body, type: type, urlNamespace: urlNamespace)
        var name = object.objectName
        if name.isEmpty {
            guard let prefix = object["metadata"]?["generateName"]?.string, !prefix.isEmpty else {
                throw invalid(type, name: "", [("metadata.name", "Required value: name or generateName is required", "FieldValueRequired")])
            }
            repeat {
                name = prefix + Identifiers.nameSuffix()
            } while self.object(at: address(type.gvr, namespace: namespace, name: name)) != nil
            object.setMetadata("name", .string(name))
        }
        if let why = type.nameRule.violation(name) {
            throw invalid(type, name: name, [("metadata.name", "Invalid value: \(JSON.quote(name)): \(why)", "FieldValueInvalid")])
        }
        try checkNamespaceOpen(namespace, for: type, name: name)
        let at = address(type.gvr, namespace: namespace, name: name)
        if self.object(at: at) != nil {
            throw KubeError.alreadyExists(ObjectRef(type.gvr, namespace: namespace.isEmpty ? nil : namespace, name: name))
        }
        object.setMetadata("uid", .string(Identifiers.uuid()))
        object.setMetadata("creationTimestamp", .string(request.now))
        object.setMetadata("resourceVersion", nil)
        object.setMetadata("deletionTimestamp", nil)
        object.setMetadata("deletionGracePeriodSeconds", nil)
        object.setMetadata("generation", type.tracksGeneration ? 1 : nil)
        if type.hasStatus { object["status"] = nil }
        object = try BuiltinDefaults.onCreate(object, type: type)
        object = try applySchema(object, type: type, validation: request.fieldValidation)
        object = ClusterState.withoutEmptyMetadata(object)
        let causes = BuiltinValidation.validate(object, type: type)
        if !causes.isEmpty { throw invalid(type, name: name, causes) }
        if GroupResource(type.gvr) == ClusterState.servicesResource { object = try serviceAddresses(object, old: nil) }
        if GroupResource(type.gvr) == GroupResource(BuiltinResources.crds) {
            let causes = CustomResourceDefinitions.validate(object)
            if !causes.isEmpty { throw invalid(type, name: name, causes) }
            object = CustomResourceDefinitions.withStatus(object, conflict: crdNameConflict(object), now: request.now)
        }
        if !apply {
            object = ManagedFields.recordUpdate(old: nil, new: object, manager: request.manager, subresource: nil, now: request.now, lists: type.listSemantics)
        }
        if request.dryRun { return object }
        try StoredSizeLimit.check(object)
        put(object, at: at, event: .added, previous: nil)
        let stored = self.object(at: at) ?? object
        if GroupResource(type.gvr) == GroupResource(BuiltinResources.crds) { registerCRD(stored) }
        if GroupResource(type.gvr) == GroupResource(BuiltinResources.namespaces) { putDefaultServiceAccount(name, now: request.now) }
        if !stored.objectOwnerUIDs.isEmpty { pending.append(.orphanCheck(at)) }
        settle()
        return stored
    }

    /// Go leaves empty maps and lists out of metadata (`omitempty`): a patch that empties
    /// `annotations` leaves no `annotations: {}` behind (kubectl diff relies on it).
    static func withoutEmptyMetadata(_ object: JSON) -> JSON {
        var o = object
        for field in ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"] {
            if let v = o["metadata"]?[field], v.isNull || v.object?.isEmpty == true || v.array?.isEmpty == true {
                o.setMetadata(field, nil)
            }
        }
        return o
    }

    /// Pruning, defaulting and validation against a CRD's structural schema. With
    /// `fieldValidation=Strict` an undeclared field fails the write as kube's strict
    /// decoding does; otherwise it is pruned (Warn sends no warning header here).
    func applySchema(_ object: JSON, type: ResourceType, validation: FieldValidation?) throws -> JSON {
        guard let schema = type.schema else { return try builtinSpecFields(object, type: type, validation: validation) }
        if validation == .strict {
            let unknown = schema.unknownFields(object)
            if !unknown.isEmpty {
                let kind = type.kind, version = type.gvr.version
                let fields = unknown.map { "unknown field \(JSON.quote($0))" }.joined(separator: ", ")
                throw KubeError.badRequest("\(kind) in version \(JSON.quote(version)) cannot be handled as a \(kind): strict decoding error: \(fields)")
            }
        }
        let result = schema.applyDefaults(schema.prune(object))
        let violations = schema.validate(result)
        if !violations.isEmpty {
            throw invalid(type, name: object.objectName, violations.map { ($0.field, $0.message, $0.type) })
        }
        return result
    }

    /// A built-in kind's unknown `spec` fields (BuiltinSpecFields): refused under
    /// `fieldValidation=Strict` with kube's words, dropped otherwise (kube decodes into Go
    /// structs, which have no place for them).
    func builtinSpecFields(_ object: JSON, type: ResourceType, validation: FieldValidation?) throws -> JSON {
        guard !type.isCustom, let known = BuiltinSpecFields.fields(group: type.gvr.group, resource: type.gvr.resource),
              let spec = object["spec"]?.object else { return object }
        let unknown = spec.keys.filter { known[$0] == nil }.sorted()
        guard !unknown.isEmpty else { return object }
        if validation == .strict {
            let kind = type.kind, version = type.gvr.version
            let fields = unknown.map { "unknown field \(JSON.quote("spec.\($0)"))" }.joined(separator: ", ")
            throw KubeError.badRequest("\(kind) in version \(JSON.quote(version)) cannot be handled as a \(kind): strict decoding error: \(fields)")
        }
        var o = object
        for field in unknown { o.set(nil, at: ["spec", field]) }
        return o
    }

    /// A message when another type already serves the CRD's group and plural.
    func crdNameConflict(_ crd: JSON) -> String? {
        let group = crd["spec"]?["group"]?.string ?? ""
        let plural = crd["spec"]?["names"]?["plural"]?.string ?? ""
        if let t = registry.anyVersion(of: GroupResource(group: group, resource: plural)), t.crdName != crd.objectName {
            return "\"\(plural)\" is already in use"
        }
        return nil
    }

    /// Serves (or re-serves after an update) the versions of a CRD whose names were accepted.
    mutating func registerCRD(_ crd: JSON) {
        let name = crd.objectName
        registry.unregister(crd: name)
        guard crdNameConflict(crd) == nil else { return }
        let established = (crd["status"]?["conditions"]?.array ?? []).contains {
            $0["type"]?.string == "Established" && $0["status"]?.string == "True"
        }
        guard established else { return }
        for t in CustomResourceDefinitions.types(from: crd) { registry.register(t) }
    }
}
