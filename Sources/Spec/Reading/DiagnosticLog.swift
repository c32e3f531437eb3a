/// The problems found while loading one operator (its file and its template files).
/// Lives for one load on one task; never shared.
final class DiagnosticLog {
    private(set) var diagnostics: [SpecDiagnostic] = []

    func add(_ diagnostic: SpecDiagnostic) {
        // The same spot can be reached twice (a template file used by two steps): say it once.
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    func add(file: String, line: Int, column: Int, _ message: String) {
        add(SpecDiagnostic(file: file, line: line, column: column, message: message))
    }

    var isEmpty: Bool { diagnostics.isEmpty }
    var count: Int { diagnostics.count }
}
