import Platform
import Kube

/// The media types kube-apiserver speaks, and Accept negotiation as clients use it.
///
/// Clients list alternatives in order of preference (kubectl get:
/// `application/json;as=Table;v=v1;g=meta.k8s.io,…,application/json`); the first one we
/// can serve wins. Protobuf is never served: a request that accepts only protobuf gets 406.
public enum MediaType {
    public static let json = "application/json"
    public static let tableV1 = "application/json;as=Table;v=v1;g=meta.k8s.io"
    public static let tableV1beta1 = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    public static let discoveryV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    public static let discoveryV2beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

    /// One entry of an Accept or Content-Type header, lower-cased, parameters split.
    struct Entry: Equatable {
        var type: String
        var params: [String: String]

        init(_ text: Substring) {
            let pieces = text.split(separator: ";").map { $0.trimmingBlanks() }
            type = pieces.first?.lowercased() ?? ""
            params = [:]
            for p in pieces.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                params[kv[0].trimmingBlanks().lowercased()] = kv[1].trimmingBlanks().trimmingQuotes()
            }
        }

        var isJSONLike: Bool { type == "application/json" || type == "*/*" || type == "application/*" }
    }

    static func entries(_ header: String?) -> [Entry] {
        guard let header, !header.trimmingBlanks().isEmpty else { return [Entry("*/*")] }
        return header.split(separator: ",").map { Entry($0) }
    }

    /// The type part of a Content-Type header, without parameters, lower-cased.
    public static func bareType(_ contentType: String?) -> String {
        guard let contentType else { return "" }
        return Entry(Substring(contentType)).type
    }

    /// What an object response may be rendered as.
    public enum ObjectRendering: Equatable, Sendable {
        case json
        /// A `meta.k8s.io` Table of this version (`v1` or `v1beta1`).
        case table(version: String)
    }

    /// Picks the rendering of a get/list/watch answer, or nil when nothing acceptable (406).
    public static func objectRendering(accept: String?) -> ObjectRendering? {
        for e in entries(accept) where e.isJSONLike {
            switch e.params["as"]?.lowercased() {
            case nil:
                return .json
            case "table":
                guard e.params["g"] == "meta.k8s.io" else { continue }
                if let v = e.params["v"], v == "v1" || v == "v1beta1" { return .table(version: v) }
            default:
                continue
            }
        }
        return nil
    }

    /// The aggregated discovery version asked for (`v2`, `v2beta1`), `""` for the legacy
    /// documents, nil when nothing acceptable.
    public static func discoveryRendering(accept: String?) -> String? {
        for e in entries(accept) where e.isJSONLike {
            switch e.params["as"]?.lowercased() {
            case nil:
                return ""
            case "apigroupdiscoverylist":
                guard e.params["g"] == "apidiscovery.k8s.io" else { continue }
                if let v = e.params["v"], v == "v2" || v == "v2beta1" { return v }
            default:
                continue
            }
        }
        return nil
    }

    /// True when plain JSON is acceptable (documents that have no other rendering).
    public static func acceptsPlainJSON(_ accept: String?) -> Bool {
        entries(accept).contains { $0.isJSONLike && $0.params["as"] == nil }
    }

    public static func notAcceptable(_ accept: String?) -> KubeError {
        KubeError(code: 406, reason: "NotAcceptable",
                  message: "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io (got \(accept ?? ""))")
    }
}

extension StringProtocol {
    func trimmingQuotes() -> String {
        var s = Substring(self)
        if s.count >= 2, s.first == "\"", s.last == "\"" { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
