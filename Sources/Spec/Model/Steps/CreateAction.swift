/// `create`: POST manifests (not apply), owned by the watched object.
public struct CreateAction: Sendable {
    public enum IfExists: String, Sendable, Hashable, CaseIterable {
        /// An existing object is an error (the default).
        case fail
        /// An existing object is left as it is and counts as success.
        case keep
    }

    public var source: ManifestSource
    public var manifests: [TemplateValue]
    public var ifExists: IfExists
    public var namespace: TemplateValue?

    public init(source: ManifestSource, manifests: [TemplateValue], ifExists: IfExists = .fail, namespace: TemplateValue? = nil) {
        self.source = source
        self.manifests = manifests
        self.ifExists = ifExists
        self.namespace = namespace
    }
}
