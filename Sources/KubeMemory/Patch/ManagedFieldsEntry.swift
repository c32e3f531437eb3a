import JSONValue

/// One entry of `metadata.managedFields`: who owns which fields, and how they got them.
struct ManagedFieldsEntry: Sendable, Equatable {
    var manager: String
    /// `Apply` or `Update`.
    var operation: String
    var apiVersion: String
    var time: String?
    /// Set for writes through a subresource (`status`, `scale`), nil for the main resource.
    var subresource: String?
    var fields: FieldSet

    init(manager: String, operation: String, apiVersion: String, time: String?, subresource: String?, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource.flatMap { $0.isEmpty ? nil : $0 }
        self.fields = fields
    }

    /// Reads an entry; entries that are not objects are skipped by the caller (nil).
    init?(_ json: JSON) {
        guard case .object(let entry) = json else { return nil }
        self.init(
            manager: entry["manager"]?.string ?? "", operation: entry["operation"]?.string ?? "Update",
            apiVersion: entry["apiVersion"]?.string ?? "", time: entry["time"]?.string,
            subresource: entry["subresource"]?.string, fields: FieldSet(fieldsV1: entry["fieldsV1"] ?? .null))
    }

    /// The entries of an object's `metadata.managedFields`.
    static func entries(of object: JSON?) -> [ManagedFieldsEntry] {
        object?.value(at: ["metadata", "managedFields"])?.array?.compactMap(ManagedFieldsEntry.init) ?? []
    }

    /// Whether two entries belong to the same owner: appliers are one owner whatever
    /// version they apply in; updaters are one owner per API version, as in kube-apiserver.
    func isSameOwner(as other: ManagedFieldsEntry) -> Bool {
        manager == other.manager && operation == other.operation && subresource == other.subresource
            && (operation == "Apply" || apiVersion == other.apiVersion)
    }

    var json: JSON {
        var entry: JSON = ["manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion)]
        if let time { entry["time"] = .string(time) }
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = fields.fieldsV1
        if let subresource { entry["subresource"] = .string(subresource) }
        return entry
    }

    /// How conflicts name the owner: `"kubectl"`, `"kubectl-edit" using apps/v1`,
    /// `"controller" with subresource "status" using v1`.
    var ownerDescription: String {
        var text = "\"\(manager)\""
        if let subresource { text += " with subresource \"\(subresource)\"" }
        if operation == "Update" { text += " using \(apiVersion)" }
        return text
    }

    /// The order kube-apiserver stores entries in: by operation, time, manager, version,
    /// subresource.
    static func sorted(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        entries.sorted { p, q in
            if p.operation != q.operation { return p.operation < q.operation }
            if (p.time ?? "") != (q.time ?? "") { return (p.time ?? "") < (q.time ?? "") }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return (p.subresource ?? "") < (q.subresource ?? "")
        }
    }
}
