/// What the readers of one operator share: the problems found so far, the expressions
/// met so far (their order gives their IDs) and the template files already loaded.
/// Lives for one load on one task; never shared.
final class LoadContext {
    let log = DiagnosticLog()
    let expressions = ExpressionTable()
    /// The operator's folder as the user named it ("." for the current folder).
    let folder: String
    /// Template files by path as written, loaded once however many steps use them;
    /// nil for a file that could not be loaded (its problem is already logged).
    var templateFiles: [String: TemplateFile?] = [:]
    /// Paths in the order first met.
    var templateOrder: [String] = []

    init(folder: String) {
        self.folder = folder
    }

    /// A path written in the operator file, as a path to open and show: relative paths are
    /// relative to the operator's folder.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || folder.isEmpty || folder == "." { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }
}
