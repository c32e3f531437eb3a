/// What loading one operator file gave: the operator when it is free of problems, and
/// every problem found (in its file and its template files), sorted by place.
public struct OperatorLoadResult: Sendable {
    public var file: String
    public var loaded: LoadedOperator?
    public var diagnostics: [SpecDiagnostic]

    public init(file: String, loaded: LoadedOperator?, diagnostics: [SpecDiagnostic]) {
        self.file = file
        self.loaded = loaded
        self.diagnostics = diagnostics
    }

    /// The lines `yopf check` prints for this file: its problems, or its one-line summary.
    public var reportLines: [String] {
        if let loaded, diagnostics.isEmpty { return [loaded.summary] }
        return diagnostics.map(\.description)
    }
}
