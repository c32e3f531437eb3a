import JSONValue

/// A failed API call, carrying the `Status` object the server answered with.
///
/// The in-memory server builds these exactly as kube-apiserver does, and the HTTP client
/// decodes them from response bodies, so callers match on `reason`/`code` alone.
public struct KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `meta.k8s.io/v1 Status` object.
    public var status: JSON

    public init(status: JSON) { self.status = status }

    public init(code: Int, reason: String, message: String, details: JSON? = nil) {
        var s: JSON = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(code),
        ]
        if let details { s["details"] = details }
        status = s
    }

    public var code: Int { status["code"]?.int ?? 0 }
    public var reason: String { status["reason"]?.string ?? "" }
    public var message: String { status["message"]?.string ?? "" }
    public var description: String { "\(code) \(reason): \(message)" }

    static func details(_ ref: ObjectRef?, kind: String?) -> JSON {
        var d: JSON = [:]
        if let ref {
            d["name"] = .string(ref.name)
            d["group"] = .string(ref.gvr.group)
            d["kind"] = .string(ref.gvr.resource)
        }
        return d
    }

    // MARK: The errors kube-apiserver answers with, worded as it words them.

    /// `configmaps "x" not found`
    public static func notFound(_ ref: ObjectRef) -> KubeError {
        KubeError(code: 404, reason: "NotFound", message: "\(qualified(ref.gvr)) \"\(ref.name)\" not found",
                  details: details(ref, kind: nil))
    }

    /// `configmaps "x" already exists`
    public static func alreadyExists(_ ref: ObjectRef) -> KubeError {
        KubeError(code: 409, reason: "AlreadyExists", message: "\(qualified(ref.gvr)) \"\(ref.name)\" already exists",
                  details: details(ref, kind: nil))
    }

    /// Stale resourceVersion on update.
    public static func conflict(_ ref: ObjectRef, _ why: String = "the object has been modified; please apply your changes to the latest version and try again") -> KubeError {
        KubeError(code: 409, reason: "Conflict",
                  message: "Operation cannot be fulfilled on \(qualified(ref.gvr)) \"\(ref.name)\": \(why)",
                  details: details(ref, kind: nil))
    }

    /// 422 with one cause per invalid field.
    public static func invalid(_ ref: ObjectRef, kind: String, causes: [(field: String, message: String, type: String)]) -> KubeError {
        // kube aggregates several causes in brackets: `is invalid: [a: …, b: …]`.
        let joined = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        let list = causes.count > 1 ? "[\(joined)]" : joined
        var d = details(ref, kind: kind)
        d["kind"] = .string(kind)
        d["causes"] = .array(causes.map { ["reason": .string($0.type), "message": .string($0.message), "field": .string($0.field)] })
        return KubeError(code: 422, reason: "Invalid", message: "\(kind) \"\(ref.name)\" is invalid: \(list)", details: d)
    }

    public static func badRequest(_ message: String) -> KubeError {
        KubeError(code: 400, reason: "BadRequest", message: message)
    }

    public static func forbidden(_ message: String) -> KubeError {
        KubeError(code: 403, reason: "Forbidden", message: message)
    }

    public static func methodNotAllowed(_ message: String) -> KubeError {
        KubeError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    /// Watch or list from a resourceVersion older than the retained history.
    public static func expired(_ message: String) -> KubeError {
        KubeError(code: 410, reason: "Expired", message: message)
    }

    public static func unsupportedMediaType(_ contentType: String) -> KubeError {
        KubeError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \(contentType))")
    }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int) -> KubeError {
        KubeError(code: 429, reason: "TooManyRequests", message: message,
                  details: ["retryAfterSeconds": .int(retryAfterSeconds)])
    }

    public static func internalError(_ message: String) -> KubeError {
        KubeError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    /// `deployments.apps` for grouped resources, `configmaps` for core ones.
    public static func qualified(_ gvr: GroupVersionResource) -> String {
        gvr.group.isEmpty ? gvr.resource : "\(gvr.resource).\(gvr.group)"
    }
}
