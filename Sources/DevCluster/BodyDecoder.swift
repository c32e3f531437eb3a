import Platform
import JSONValue
import Kube
import YAMLLoader

/// Request bodies: JSON, YAML for `application/yaml` and server-side apply, and the
/// protobuf kubectl's typed commands send for a few kinds.
enum BodyDecoder {
    /// Content types a create or update body may have.
    static let objectTypes: Set<String> = ["", "application/json", "application/yaml", "*/*"]

    static func object(_ r: APIRequest) throws(KubeError) -> JSON {
        let type = MediaType.bareType(r.header("content-type"))
        if type == ProtobufBody.contentType { return try ProtobufBody.decode(r.body) }
        guard objectTypes.contains(type) else {
            throw KubeError(code: 415, reason: "UnsupportedMediaType",
                            message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \(type))")
        }
        let value = try decode(r, what: "the object")
        guard case .object = value else { throw .badRequest("the body must be one object, got a \(value.typeName)") }
        return value
    }

    static func patch(_ r: APIRequest) throws(KubeError) -> (PatchType, JSON) {
        let raw = r.header("content-type") ?? ""
        guard let type = PatchType(rawValue: MediaType.bareType(raw)) else { throw .unsupportedMediaType(raw) }
        return (type, try decode(r, what: "the patch"))
    }

    /// JSON first (what kubectl and client-go send, apply bodies included), then YAML.
    static func decode(_ r: APIRequest, what: String) throws(KubeError) -> JSON {
        let text = r.bodyText
        guard !text.trimmingBlanks().isEmpty else { throw .badRequest("\(what) is missing: the request body is empty") }
        let jsonError: any Error
        do {
            return try JSON.parse(text)
        } catch {
            jsonError = error
        }
        if text.trimmingBlanks().hasPrefix("{") || text.trimmingBlanks().hasPrefix("[") {
            throw .badRequest("\(what) is not valid JSON: \(jsonError)")
        }
        let documents: [YAMLDocument]
        do {
            documents = try YAML.load(text, file: "request body")
        } catch {
            throw .badRequest("\(what) is neither JSON nor YAML: \(error)")
        }
        guard documents.count == 1, let document = documents.first else {
            throw .badRequest("\(what) must be exactly one YAML document, got \(documents.count)")
        }
        return document.value
    }
}
