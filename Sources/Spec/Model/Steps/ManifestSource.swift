/// Where the manifests of an `apply`, `create` or `job` step come from.
public enum ManifestSource: Sendable, Hashable {
    /// A template file, path as written (relative to the operator's folder).
    case file(String)
    /// An object written in the step itself.
    case inline
}
