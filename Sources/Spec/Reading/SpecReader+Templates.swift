import JSONValue
import YAMLLoader

/// Files the operator file points to: template files (manifests with `${{ }}`) and a CRD
/// file, relative to the operator's folder.
extension SpecReader {
    /// The template file named by the string at `node`, loaded and compiled once per
    /// operator however many steps use it; nil (with the problem reported) when it cannot be.
    func templateFile(_ node: Node) -> TemplateFile? {
        guard let path = nonEmptyString(node) else { return nil }
        if let cached = context.templateFiles[path] { return cached }
        let file = loadTemplateFile(path, at: node)
        context.templateFiles[path] = .some(file)
        context.templateOrder.append(path)
        return file
    }

    private func loadTemplateFile(_ path: String, at node: Node) -> TemplateFile? {
        guard let readers = loadYAMLFile(path, what: "template file", at: node) else { return nil }
        var documents: [TemplateValue] = []
        var valid = true
        for reader in readers where !reader.document.value.isNull {
            guard reader.checkManifest(reader.root), let value = reader.template(reader.root, role: "template") else {
                valid = false
                continue
            }
            documents.append(value)
        }
        guard valid else { return nil }
        guard let first = readers.first, !documents.isEmpty else {
            report("template file \"\(path)\" holds no manifest", at: node)
            return nil
        }
        return TemplateFile(path: path, file: first.file, documents: documents)
    }

    /// Reads a YAML file named relative to the operator's folder, one reader per document.
    /// A missing file is reported at `node` (where its path was written); a YAML error at
    /// its own place in that file.
    func loadYAMLFile(_ path: String, what: String, at node: Node) -> [SpecReader]? {
        let opened = context.resolve(path)
        switch FileSystem.kind(atPath: opened) {
        case nil:
            report("\(what) \"\(path)\" not found (looked for \(opened))", at: node)
            return nil
        case .folder?:
            report("\(what) \"\(path)\" is a folder, expected a YAML file", at: node)
            return nil
        case .file?:
            break
        }
        guard let text = FileSystem.readText(atPath: opened) else {
            report("cannot read \(what) \"\(path)\" (\(opened))", at: node)
            return nil
        }
        do {
            let documents = try YAML.load(text, file: opened)
            let source = SourceText(text)
            return documents.map { SpecReader(document: $0, text: source, context: context) }
        } catch let error as YAMLError {
            context.log.add(file: error.file, line: error.position.line, column: error.position.column, error.message)
            return nil
        } catch {
            report("cannot load \(what) \"\(path)\": \(error)", at: node)
            return nil
        }
    }

    /// A manifest: an object with literal `apiVersion` and `kind`. Reports what is wrong.
    func checkManifest(_ node: Node) -> Bool {
        guard case .object = node.value else {
            reportType(node, expected: "a Kubernetes object (apiVersion, kind, metadata, …)")
            return false
        }
        var valid = true
        for key in ["apiVersion", "kind"] {
            if let member = node[key] {
                if literalString(member) == nil { valid = false }
            } else {
                report("manifest: missing required field \"\(key)\"", at: node)
                valid = false
            }
        }
        if let metadata = node["metadata"] {
            if case .object = metadata.value {} else {
                reportType(metadata, expected: "an object")
                valid = false
            }
        }
        return valid
    }
}
