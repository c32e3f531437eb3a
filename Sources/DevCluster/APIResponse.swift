import JSONValue
import Kube

/// What the router answers: a whole body, or a stream of chunks (watch) written and
/// flushed one by one with chunked transfer-encoding.
public enum APIResponse: Sendable {
    case full(status: Int, contentType: String, body: [UInt8])
    /// Each element is one chunk (one watch event line). The stream ends the response.
    case stream(status: Int, contentType: String, chunks: AsyncThrowingStream<[UInt8], any Error>)

    public static func json(_ value: JSON, status: Int = 200, contentType: String = MediaType.json) -> APIResponse {
        .full(status: status, contentType: contentType, body: value.serializedBytes())
    }

    /// A `Status` failure with its own code as the HTTP status.
    public static func error(_ error: KubeError) -> APIResponse {
        let code = error.code >= 400 && error.code <= 599 ? error.code : 500
        return .json(error.status, status: code)
    }

    public static func text(_ text: String, status: Int = 200) -> APIResponse {
        .full(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    public var status: Int {
        switch self {
        case .full(let s, _, _), .stream(let s, _, _): return s
        }
    }

    /// The body of a `.full` response (empty for streams), for tests.
    public var bodyBytes: [UInt8] {
        if case .full(_, _, let b) = self { return b }
        return []
    }

    /// Seconds for a `Retry-After` header: a 429 `Status` carries them in its details.
    public var retryAfterSeconds: Int? {
        guard case .full(429, _, let body) = self, let status = try? JSON.parse(body) else { return nil }
        return status["details"]?["retryAfterSeconds"]?.int
    }

    public var contentType: String {
        switch self {
        case .full(_, let c, _), .stream(_, let c, _): return c
        }
    }
}
