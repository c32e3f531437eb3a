/// The object a step reads or changes: `apiVersion`, `kind`, `name`, `namespace`.
///
/// `apiVersion` and `kind` are literal strings (no templates) so that `yopf manifests`
/// can derive the RBAC rules the operator needs from the file alone.
public struct ObjectTarget: Sendable {
    /// Nil: resolve `kind` by discovery (preferred version).
    public var apiVersion: String?
    public var kind: String
    /// Nil only for `list`.
    public var name: TemplateValue?
    /// Nil: the watched object's namespace.
    public var namespace: TemplateValue?

    public init(apiVersion: String?, kind: String, name: TemplateValue?, namespace: TemplateValue?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }
}
