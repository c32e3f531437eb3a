import JQ
import JSONValue
import YAMLLoader

/// Loads operator files: reads them and their template files, validates everything,
/// and compiles every expression of an operator into one `JQProgram`.
///
/// Start-up cost is one YAML parse per file and one jq compile per operator (tens of
/// milliseconds), never a compile per event.
public struct OperatorLoader {
    /// The names looked for in a folder, in this order.
    public static let fileNames = ["operator.yaml", "operator.yml"]

    /// Loads operators from folders (holding `operator.yaml`, or whose direct subfolders
    /// do) and operator files. Operators with any problem are left out of `operators`;
    /// `diagnostics` holds every problem of every file, file by file.
    public static func load(paths: [String]) -> (operators: [LoadedOperator], diagnostics: [SpecDiagnostic]) {
        var operators: [LoadedOperator] = []
        let (files, problems) = operatorFiles(for: paths)
        var diagnostics = problems
        for result in files.map(loadFile) {
            diagnostics += result.diagnostics
            if let loaded = result.loaded, result.diagnostics.isEmpty { operators.append(loaded) }
        }
        return (operators, diagnostics)
    }

    /// The operator files `paths` name: a file as it is; a folder's `operator.yaml`; for a
    /// folder without one, the `operator.yaml` of each direct subfolder (so that
    /// `yopf check handlers` checks every operator in `handlers/`).
    public static func operatorFiles(for paths: [String]) -> (files: [String], diagnostics: [SpecDiagnostic]) {
        var files: [String] = []
        var diagnostics: [SpecDiagnostic] = []
        for path in paths {
            switch FileSystem.kind(atPath: path) {
            case .file?:
                files.append(path)
            case .folder?:
                if let file = operatorFile(inFolder: path) {
                    files.append(file)
                    continue
                }
                let nested = FileSystem.contents(ofFolder: path)
                    .map { FileSystem.join(path, $0) }
                    .filter { FileSystem.kind(atPath: $0) == .folder }
                    .compactMap(operatorFile(inFolder:))
                if nested.isEmpty {
                    diagnostics.append(SpecDiagnostic(file: path, line: 0, column: 0,
                        message: "no \(fileNames[0]) in this folder or its subfolders"))
                }
                files += nested
            case nil:
                diagnostics.append(SpecDiagnostic(file: path, line: 0, column: 0, message: "no such file or folder"))
            }
        }
        return (files, diagnostics)
    }

    private static func operatorFile(inFolder folder: String) -> String? {
        fileNames.map { FileSystem.join(folder, $0) }.first { FileSystem.kind(atPath: $0) == .file }
    }

    /// Loads one operator file; templates are found relative to its folder.
    public static func loadFile(_ file: String) -> OperatorLoadResult {
        guard let text = FileSystem.readText(atPath: file) else {
            return OperatorLoadResult(file: file, loaded: nil, diagnostics: [
                SpecDiagnostic(file: file, line: 0, column: 0, message: "cannot read this file"),
            ])
        }
        return load(yaml: text, file: file, folder: FileSystem.folder(of: file))
    }

    /// Loads an operator from text: `file` names it in messages, `folder` is where its
    /// template files are looked for.
    public static func load(yaml text: String, file: String, folder: String) -> OperatorLoadResult {
        let context = LoadContext(folder: folder)
        defer { context.expressions.removeAll() }
        let documents: [YAMLDocument]
        do {
            documents = try YAML.load(text, file: file)
        } catch let error as YAMLError {
            return OperatorLoadResult(file: file, loaded: nil, diagnostics: [
                SpecDiagnostic(file: error.file, line: error.position.line, column: error.position.column, message: error.message),
            ])
        } catch {
            return OperatorLoadResult(file: file, loaded: nil, diagnostics: [
                SpecDiagnostic(file: file, line: 1, column: 1, message: "\(error)"),
            ])
        }
        let source = SourceText(text)
        let nonEmpty = documents.filter { !$0.value.isNull }
        guard let document = nonEmpty.first else {
            return OperatorLoadResult(file: file, loaded: nil, diagnostics: [
                // At 1:1, like every problem with a file's content, so that editors and CI
                // annotations can point at it (issue 18).
                SpecDiagnostic(file: file, line: 1, column: 1, message: "the file is empty; expected an Operator"),
            ])
        }
        let reader = SpecReader(document: document, text: source, context: context)
        if nonEmpty.count > 1 {
            let extra = nonEmpty[1].position
            reader.report("an operator file holds one Operator; move the other documents to their own files", at: extra)
        }
        let spec = reader.readOperator()
        let program = compile(context)
        let diagnostics = sorted(context.log.diagnostics, operatorFile: file)
        guard diagnostics.isEmpty, let spec, let program else {
            return OperatorLoadResult(file: file, loaded: nil, diagnostics: diagnostics)
        }
        let templates = context.templateOrder.compactMap { context.templateFiles[$0] ?? nil }
        let loaded = LoadedOperator(
            spec: spec, file: file, folder: folder, templates: templates, program: program,
            expressions: context.expressions.sites)
        return OperatorLoadResult(file: file, loaded: loaded, diagnostics: [])
    }

    /// Compiles all expressions as one program. On errors, reports each at its place
    /// inside its expression, and compiles again without the broken ones (libjq may stop
    /// at the first error) until nothing new turns up, so that all are reported.
    private static func compile(_ context: LoadContext) -> JQProgram? {
        let table = context.expressions
        var sources = table.entries.map(\.source)
        var reported: Set<Int> = []
        while true {
            do {
                let program = try JQProgram(expressions: sources)
                return reported.isEmpty ? program : nil
            } catch let error as JQProgramError {
                var progress = false
                for problem in error.errors {
                    guard table.entries.indices.contains(problem.index) else {
                        context.log.add(file: table.entries.first?.reader.file ?? "", line: 1, column: 1,
                            "jq: \(problem.error.message)")
                        return nil
                    }
                    guard reported.insert(problem.index).inserted else { continue }
                    progress = true
                    let (file, position) = table.position(of: problem.index, utf8Offset: problem.error.offset)
                    let role = table.entries[problem.index].role
                    context.log.add(file: file, line: position.line, column: position.column,
                        "jq error in \(role): \(problem.error.message)")
                    sources[problem.index] = "null"
                }
                if !progress { return nil }
            } catch {
                context.log.add(file: table.entries.first?.reader.file ?? "", line: 1, column: 1, "jq: \(error)")
                return nil
            }
        }
    }

    /// The operator file's problems first, then each template file's, each by position.
    private static func sorted(_ diagnostics: [SpecDiagnostic], operatorFile: String) -> [SpecDiagnostic] {
        diagnostics.sorted { a, b in
            let aFirst = a.file == operatorFile
            let bFirst = b.file == operatorFile
            if aFirst != bFirst { return aFirst }
            return a < b
        }
    }
}
