/// A template file: one or more manifests (YAML documents) with `${{ }}` templates,
/// loaded relative to the operator's folder and compiled with the operator.
public struct TemplateFile: Sendable {
    /// The path as written in the operator file, e.g. `templates/mysql.yaml`.
    public var path: String
    /// The path as opened (and shown in errors), e.g. `handlers/mysql/templates/mysql.yaml`.
    public var file: String
    /// Its documents in order (empty documents left out).
    public var documents: [TemplateValue]

    public init(path: String, file: String, documents: [TemplateValue]) {
        self.path = path
        self.file = file
        self.documents = documents
    }
}
