import Glibc
import JSONValue

/// YAML in and out, read the way kubectl reads it.
///
/// Loading goes through libyaml's event API and keeps the source position of every node
/// (`YAMLDocument.node(at:)`), so that later checks can report `file:line:column`.
/// Emitting writes block-style YAML that loads back to the same JSON.
public enum YAML {
    /// All documents of a YAML stream. Empty documents (a trailing `---`, a document of
    /// comments only) are skipped. Throws `YAMLError` for syntax errors, duplicate keys,
    /// unknown anchors, alias bombs, non-scalar keys and values JSON cannot hold.
    public static func load(_ text: String, file: String = "<input>") throws -> [YAMLDocument] {
        var loader = StreamLoader(file: file, bytes: Array(text.utf8))
        return try loader.load()
    }

    /// All documents of the YAML file at `path`. An unreadable file is a `YAMLError` at
    /// 1:1 whose message says why; bytes that are not UTF-8 are reported where they are.
    public static func loadFile(atPath path: String) throws -> [YAMLDocument] {
        let bytes = try FileBytes.read(path)
        var loader = StreamLoader(file: path, bytes: bytes)
        return try loader.load()
    }

    /// One document in block style with 2-space indentation, without a `---` line.
    public static func emit(_ value: JSON) -> String {
        var emitter = YAMLEmitter()
        emitter.document(value)
        return emitter.text
    }

    /// Documents separated by `---` lines (nothing for no documents).
    public static func emit(documents: [JSON]) -> String {
        var emitter = YAMLEmitter()
        for (i, document) in documents.enumerated() {
            if i > 0 { emitter.separator() }
            emitter.document(document)
        }
        return emitter.text
    }
}
