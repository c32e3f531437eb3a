/// `apply`: server-side apply of manifests, owned by the watched object.
public struct ApplyAction: Sendable {
    public enum IfExists: String, Sendable, Hashable, CaseIterable {
        /// Apply over the existing object (the default).
        case update
        /// Leave an existing object alone (e.g. a volume that outlives the resource); no
        /// owner reference is added, so it survives the resource's deletion.
        case keep
    }

    public var source: ManifestSource
    /// One or more manifests (a template file may hold several documents).
    public var manifests: [TemplateValue]
    public var ifExists: IfExists
    /// Overrides the namespace of namespaced manifests (default: the watched object's).
    public var namespace: TemplateValue?

    public init(source: ManifestSource, manifests: [TemplateValue], ifExists: IfExists = .update, namespace: TemplateValue? = nil) {
        self.source = source
        self.manifests = manifests
        self.ifExists = ifExists
        self.namespace = namespace
    }
}
