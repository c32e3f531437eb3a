/// The problems found while loading one operator (its file and its template files).
/// Lives for one load on one task; never shared.
final class DiagnosticLog {
    private(set) var diagnostics: [SpecDiagnostic] = []

    func add(_ diagnostic: SpecDiagnostic) {
        // The same spot can be reached twice (a template file used by two steps): say it once.
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    /// A problem in a file's content always has a place: a position that could not be
    /// found (0 or less) becomes the file's start, 1:1.
    func add(file: String, line: Int, column: Int, _ message: String) {
        let placed = line >= 1
        add(SpecDiagnostic(file: file, line: placed ? line : 1, column: placed ? max(1, column) : 1, message: message))
    }

    var isEmpty: Bool { diagnostics.isEmpty }
    var count: Int { diagnostics.count }
}
