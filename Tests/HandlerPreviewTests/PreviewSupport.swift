import HandlerPreview
import JSONValue
import Spec
import TestSupport
import YAMLLoader

/// What the preview tests share: the repository's files, loading an operator (shipped or
/// written by the test), and finding handlers and steps in a plan.
enum PreviewSupport {
    static let root: String = {
        // Tests/HandlerPreviewTests/PreviewSupport.swift → the package root.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static func load(_ path: String) throws -> LoadedOperator {
        let full = path.hasPrefix("/") ? path : root + "/" + path
        let (operators, diagnostics) = OperatorLoader.load(paths: [full])
        guard diagnostics.isEmpty, let op = operators.first else {
            throw SupportError("cannot load \(path): \(diagnostics.map(\.description).joined(separator: "\n"))")
        }
        return op
    }

    /// An operator from text (its templates in `templates`, by path).
    static func load(yaml: String, templates: [String: String] = [:]) throws -> LoadedOperator {
        let folder = try TemporaryFolder("yopf-plan-test")
        defer { folder.remove() }
        try folder.write("operator.yaml", yaml)
        for (path, text) in templates { try folder.write(path, text) }
        return try load(folder.path)
    }

    static func object(_ path: String) throws -> JSON {
        let docs = try YAML.loadFile(atPath: path.hasPrefix("/") ? path : root + "/" + path)
        guard let first = docs.map(\.value).first(where: { !$0.isNull }) else { throw SupportError("\(path) holds no object") }
        return first
    }

    static func yaml(_ text: String) throws -> JSON {
        guard let first = try YAML.load(text).first?.value else { throw SupportError("no document") }
        return first
    }

    static func plan(_ loaded: LoadedOperator, object: JSON, old: JSON? = nil, event: PreviewEvent? = nil, redact: Bool = false,
                     source: HandlerPreviewer.Source = .offline) async throws -> PreviewReport {
        try await HandlerPreviewer.preview(
            HandlerPreviewer.Request(loaded: loaded, object: object, objectFile: "object.yaml", old: old, oldFile: "old.yaml", event: event, redact: redact),
            source: source)
    }
}

extension JSON {
    /// The handler entry with this id in a plan.
    func handler(_ id: String) -> JSON? {
        self["handlers"]?.array?.first { $0["id"]?.string == id }
    }

    /// The step entries of a handler entry, by their `step` label.
    func step(_ label: String) -> JSON? {
        self["steps"]?.array?.first { $0["step"]?.string == label }
    }
}

struct SupportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
