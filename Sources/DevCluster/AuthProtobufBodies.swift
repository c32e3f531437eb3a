import JSONValue
import Kube

/// The protobuf bodies of kubectl 1.32's authentication and authorization commands:
/// `kubectl create token` (TokenRequest), `kubectl auth can-i` (SelfSubjectAccessReview),
/// `kubectl auth can-i --list` (SelfSubjectRulesReview), `kubectl auth whoami`
/// (SelfSubjectReview), and SubjectAccessReview. Same envelope as
/// `ProtobufBody` (`k8s\0` + runtime.Unknown); field numbers from k8s.io/api
/// authentication/v1 and authorization/v1 generated.proto.
enum AuthProtobufBodies {
    static let resourceAttributes = ProtoMessage([
        1: ("namespace", .string), 2: ("verb", .string), 3: ("group", .string), 4: ("version", .string),
        5: ("resource", .string), 6: ("subresource", .string), 7: ("name", .string),
    ])
    static let nonResourceAttributes = ProtoMessage([1: ("path", .string), 2: ("verb", .string)])

    static let kinds: [GroupVersionKind: ProtoMessage] = [
        GroupVersionKind(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest"): ProtoMessage([
            1: ("metadata", .message(ProtobufBody.objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("audiences", .strings), 4: ("expirationSeconds", .int),
                3: ("boundObjectRef", .message(ProtoMessage([1: ("kind", .string), 2: ("apiVersion", .string), 3: ("name", .string), 4: ("uid", .string)]))),
            ]))),
        ]),
        GroupVersionKind(group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview"): ProtoMessage([
            1: ("metadata", .message(ProtobufBody.objectMeta)),
        ]),
        GroupVersionKind(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview"): ProtoMessage([
            1: ("metadata", .message(ProtobufBody.objectMeta)),
            2: ("spec", .message(ProtoMessage([1: ("resourceAttributes", .message(resourceAttributes)), 2: ("nonResourceAttributes", .message(nonResourceAttributes))]))),
        ]),
        GroupVersionKind(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectRulesReview"): ProtoMessage([
            1: ("metadata", .message(ProtobufBody.objectMeta)), 2: ("spec", .message(ProtoMessage([1: ("namespace", .string)]))),
        ]),
        GroupVersionKind(group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview"): ProtoMessage([
            1: ("metadata", .message(ProtobufBody.objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("resourceAttributes", .message(resourceAttributes)), 2: ("nonResourceAttributes", .message(nonResourceAttributes)),
                3: ("user", .string), 4: ("groups", .strings), 6: ("uid", .string),
            ]))),
        ]),
    ]

    /// The request body as JSON: protobuf of the kinds above, else what `BodyDecoder` takes.
    static func object(_ r: APIRequest) throws(KubeError) -> JSON {
        guard MediaType.bareType(r.header("content-type")) == ProtobufBody.contentType else { return try BodyDecoder.object(r) }
        let bytes = r.body
        guard bytes.count >= 4, Array(bytes[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else {
            throw .badRequest("the protobuf body does not start with the Kubernetes magic number \"k8s\\0\"")
        }
        var apiVersion = "", kind = ""
        var raw: [UInt8] = []
        var reader = ProtoReader(Array(bytes[4...]))
        while let (field, value) = try reader.next() {
            guard case .bytes(let b) = value else { continue }
            if field == 2 { raw = b }
            if field == 1 {
                var meta = ProtoReader(b)
                while let (f, v) = try meta.next() {
                    guard case .bytes(let s) = v else { continue }
                    if f == 1 { apiVersion = String(decoding: s, as: UTF8.self) }
                    if f == 2 { kind = String(decoding: s, as: UTF8.self) }
                }
            }
        }
        guard let schema = kinds[GroupVersionKind(apiVersion: apiVersion, kind: kind)] else {
            // Not one of ours: the general decoder knows the kinds kubectl's generators send.
            return try ProtobufBody.decode(bytes)
        }
        var object: JSON = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        for (k, v) in try schema.decode(raw).object ?? [:] { object[k] = v }
        return object
    }
}
