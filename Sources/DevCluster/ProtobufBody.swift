import JSONValue
import Kube

/// Decodes the Kubernetes protobuf bodies kubectl 1.32 sends from its typed commands
/// (`kubectl create configmap|secret|namespace|serviceaccount|deployment|job|cronjob|
/// role|clusterrole|rolebinding|clusterrolebinding|service|quota|ingress`) into JSON.
///
/// A body is `k8s\0` followed by a `runtime.Unknown` {1 typeMeta {1 apiVersion, 2 kind},
/// 2 raw}; `raw` is the object's message. Only the kinds those commands create are known,
/// and of them only the fields they set; other fields are skipped. Zero values are left
/// out, as Go's JSON encoding leaves out empty optional fields.
enum ProtobufBody {
    static let contentType = "application/vnd.kubernetes.protobuf"

    static func decode(_ bytes: [UInt8]) throws(KubeError) -> JSON {
        guard bytes.count >= 4, Array(bytes[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else {
            throw .badRequest("the protobuf body does not start with the Kubernetes magic number \"k8s\\0\"")
        }
        var apiVersion = "", kind = ""
        var raw: [UInt8] = []
        var reader = ProtoReader(Array(bytes[4...]))
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let meta)):
                var m = ProtoReader(meta)
                while let (f, v) = try m.next() {
                    if f == 1, case .bytes(let b) = v { apiVersion = String(decoding: b, as: UTF8.self) }
                    if f == 2, case .bytes(let b) = v { kind = String(decoding: b, as: UTF8.self) }
                }
            case (2, .bytes(let b)): raw = b
            default: continue
            }
        }
        guard let schema = kinds[GroupVersionKind(apiVersion: apiVersion, kind: kind)] else {
            throw KubeError(code: 415, reason: "UnsupportedMediaType",
                            message: "protobuf bodies of \(apiVersion) \(kind) are not supported by the yopf dev-cluster; send JSON or YAML instead (kubectl create -f FILE, or kubectl create ... --dry-run=client -o yaml | kubectl apply -f -)")
        }
        var object = try schema.decode(raw)
        var typed: JSON = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        for (k, v) in object.object ?? [:] { typed[k] = v }
        object = typed
        return object
    }

    // MARK: Schemas (field numbers from k8s.io/api generated.proto)

    static let objectMeta = ProtoMessage([
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
        6: ("resourceVersion", .string), 11: ("labels", .map(bytes: false)), 12: ("annotations", .map(bytes: false)),
        13: ("ownerReferences", .repeated(ProtoMessage([
            1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
            6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool),
        ]))),
        14: ("finalizers", .strings),
    ])

    static let labelSelector = ProtoMessage([
        1: ("matchLabels", .map(bytes: false)),
        2: ("matchExpressions", .repeated(ProtoMessage([1: ("key", .string), 2: ("operator", .string), 3: ("values", .strings)]))),
    ])

    static let container = ProtoMessage([
        1: ("name", .string), 2: ("image", .string), 3: ("command", .strings), 4: ("args", .strings), 5: ("workingDir", .string),
        6: ("ports", .repeated(ProtoMessage([1: ("name", .string), 2: ("hostPort", .int), 3: ("containerPort", .int), 4: ("protocol", .string)]))),
        7: ("env", .repeated(ProtoMessage([1: ("name", .string), 2: ("value", .string)]))),
        8: ("resources", .message(ProtoMessage([1: ("limits", .quantities), 2: ("requests", .quantities)]))),
        9: ("volumeMounts", .repeated(ProtoMessage([1: ("name", .string), 2: ("readOnly", .bool), 3: ("mountPath", .string), 4: ("subPath", .string)]))),
        13: ("terminationMessagePath", .string), 14: ("imagePullPolicy", .string), 20: ("terminationMessagePolicy", .string),
    ])

    static let podTemplate = ProtoMessage([
        1: ("metadata", .message(objectMeta)),
        2: ("spec", .message(ProtoMessage([
            2: ("containers", .repeated(container)), 20: ("initContainers", .repeated(container)),
            3: ("restartPolicy", .string), 4: ("terminationGracePeriodSeconds", .int), 6: ("dnsPolicy", .string),
            7: ("nodeSelector", .map(bytes: false)), 8: ("serviceAccountName", .string), 19: ("schedulerName", .string),
        ]))),
    ])

    static let jobSpec = ProtoMessage([
        1: ("parallelism", .int), 2: ("completions", .int), 3: ("activeDeadlineSeconds", .int), 4: ("selector", .message(labelSelector)),
        5: ("manualSelector", .bool), 6: ("template", .message(podTemplate)), 7: ("backoffLimit", .int),
        8: ("ttlSecondsAfterFinished", .int), 9: ("completionMode", .string), 10: ("suspend", .bool),
    ])

    static let policyRule = ProtoMessage([
        1: ("verbs", .strings), 2: ("apiGroups", .strings), 3: ("resources", .strings), 4: ("resourceNames", .strings),
        5: ("nonResourceURLs", .strings),
    ])

    static let binding = ProtoMessage([
        1: ("metadata", .message(objectMeta)),
        2: ("subjects", .repeated(ProtoMessage([1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)]))),
        3: ("roleRef", .message(ProtoMessage([1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)]))),
    ])

    static let ingressBackend = ProtoMessage([
        4: ("service", .message(ProtoMessage([
            1: ("name", .string), 2: ("port", .message(ProtoMessage([1: ("name", .string), 2: ("number", .int)]))),
        ]))),
        3: ("resource", .message(ProtoMessage([1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)]))),
    ])

    static let kinds: [GroupVersionKind: ProtoMessage] = [
        GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("data", .map(bytes: false)), 3: ("binaryData", .map(bytes: true)), 4: ("immutable", .bool),
        ]),
        GroupVersionKind(group: "", version: "v1", kind: "Secret"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("data", .map(bytes: true)), 3: ("type", .string),
            4: ("stringData", .map(bytes: false)), 5: ("immutable", .bool),
        ]),
        GroupVersionKind(group: "", version: "v1", kind: "Namespace"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("spec", .message(ProtoMessage([1: ("finalizers", .strings)]))),
        ]),
        GroupVersionKind(group: "", version: "v1", kind: "ServiceAccount"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            3: ("imagePullSecrets", .repeated(ProtoMessage([1: ("name", .string)]))), 4: ("automountServiceAccountToken", .bool),
        ]),
        GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("replicas", .intKeepZero), 2: ("selector", .message(labelSelector)), 3: ("template", .message(podTemplate)),
                4: ("strategy", .message(ProtoMessage([1: ("type", .string)]))), 5: ("minReadySeconds", .int),
                6: ("revisionHistoryLimit", .int), 7: ("paused", .bool), 9: ("progressDeadlineSeconds", .int),
            ]))),
        ]),
        GroupVersionKind(group: "batch", version: "v1", kind: "Job"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("spec", .message(jobSpec)),
        ]),
        GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("schedule", .string), 8: ("timeZone", .string), 2: ("startingDeadlineSeconds", .int), 3: ("concurrencyPolicy", .string),
                4: ("suspend", .bool), 5: ("jobTemplate", .message(ProtoMessage([1: ("metadata", .message(objectMeta)), 2: ("spec", .message(jobSpec))]))),
                6: ("successfulJobsHistoryLimit", .int), 7: ("failedJobsHistoryLimit", .int),
            ]))),
        ]),
        GroupVersionKind(group: "", version: "v1", kind: "Service"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("ports", .repeated(ProtoMessage([
                    1: ("name", .string), 2: ("protocol", .string), 6: ("appProtocol", .string), 3: ("port", .intKeepZero),
                    4: ("targetPort", .intOrString), 5: ("nodePort", .int),
                ]))),
                2: ("selector", .map(bytes: false)), 3: ("clusterIP", .string), 18: ("clusterIPs", .strings), 4: ("type", .string),
                5: ("externalIPs", .strings), 7: ("sessionAffinity", .string), 8: ("loadBalancerIP", .string),
                9: ("loadBalancerSourceRanges", .strings), 10: ("externalName", .string), 11: ("externalTrafficPolicy", .string),
                12: ("healthCheckNodePort", .int), 13: ("publishNotReadyAddresses", .bool), 19: ("ipFamilies", .strings),
                17: ("ipFamilyPolicy", .string), 21: ("loadBalancerClass", .string), 22: ("internalTrafficPolicy", .string),
            ]))),
        ]),
        GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message(ProtoMessage([
                1: ("hard", .quantities), 2: ("scopes", .strings),
                3: ("scopeSelector", .message(ProtoMessage([
                    1: ("matchExpressions", .repeated(ProtoMessage([1: ("scopeName", .string), 2: ("operator", .string), 3: ("values", .strings)]))),
                ]))),
            ]))),
        ]),
        GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("rules", .repeated(policyRule)),
        ]),
        GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole"): ProtoMessage([
            1: ("metadata", .message(objectMeta)), 2: ("rules", .repeated(policyRule)),
            3: ("aggregationRule", .message(ProtoMessage([1: ("clusterRoleSelectors", .repeated(labelSelector))]))),
        ]),
        GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding"): binding,
        GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding"): binding,
        GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress"): ProtoMessage([
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message(ProtoMessage([
                4: ("ingressClassName", .string), 1: ("defaultBackend", .message(ingressBackend)),
                2: ("tls", .repeated(ProtoMessage([1: ("hosts", .strings), 2: ("secretName", .string)]))),
                // IngressRuleValue is inlined in JSON: `http` sits beside `host`.
                3: ("rules", .repeated(ProtoMessage([
                    1: ("host", .string),
                    2: ("ingressRuleValue", .inline(ProtoMessage([
                        1: ("http", .message(ProtoMessage([
                            1: ("paths", .repeated(ProtoMessage([1: ("path", .string), 3: ("pathType", .string), 2: ("backend", .message(ingressBackend))]))),
                        ]))),
                    ]))),
                ]))),
            ]))),
        ]),
    ]
}

/// The fields of one protobuf message type that we decode, by field number.
struct ProtoMessage: Sendable {
    indirect enum FieldType: Sendable {
        case string, int, intKeepZero, bool, strings
        /// `map<string,string>`, or `map<string,bytes>` (bytes become base64, as in JSON).
        case map(bytes: Bool)
        /// `map<string,Quantity>`; a Quantity is {1 string}.
        case quantities
        case message(ProtoMessage)
        case repeated(ProtoMessage)
        /// A message whose fields JSON carries in the parent (Go's `json:",inline"`).
        case inline(ProtoMessage)
        /// `intstr.IntOrString` {1 type (0 int, 1 string), 2 intVal, 3 strVal}.
        case intOrString
    }

    let fields: [Int: (name: String, type: FieldType)]

    init(_ fields: [Int: (name: String, type: FieldType)]) { self.fields = fields }

    func decode(_ bytes: [UInt8]) throws(KubeError) -> JSON {
        var out = JSONObject()
        var reader = ProtoReader(bytes)
        while let (number, value) = try reader.next() {
            guard let (name, type) = fields[number] else { continue }
            switch (type, value) {
            case (.string, .bytes(let b)):
                if !b.isEmpty { out[name] = .string(String(decoding: b, as: UTF8.self)) }
            case (.int, .varint(let v)):
                if v != 0 { out[name] = .int(Int(truncatingIfNeeded: v)) }
            case (.intKeepZero, .varint(let v)):
                out[name] = .int(Int(truncatingIfNeeded: v))
            case (.bool, .varint(let v)):
                if v != 0 { out[name] = .bool(true) }
            case (.strings, .bytes(let b)):
                out[name] = .array((out[name]?.array ?? []) + [.string(String(decoding: b, as: UTF8.self))])
            case (.map(let isBytes), .bytes(let entry)):
                let (key, value) = try ProtoMessage.mapEntry(entry)
                var map = out[name]?.object ?? [:]
                map[key] = .string(isBytes ? Base64.encode(value) : String(decoding: value, as: UTF8.self))
                out[name] = .object(map)
            case (.quantities, .bytes(let entry)):
                let (key, quantity) = try ProtoMessage.mapEntry(entry)
                var q = ProtoReader(quantity)
                var text = ""
                while let (f, v) = try q.next() { if f == 1, case .bytes(let s) = v { text = String(decoding: s, as: UTF8.self) } }
                var map = out[name]?.object ?? [:]
                map[key] = .string(text)
                out[name] = .object(map)
            case (.message(let m), .bytes(let b)):
                let decoded = try m.decode(b)
                if decoded.object?.isEmpty == false { out[name] = decoded }
            case (.repeated(let m), .bytes(let b)):
                out[name] = .array((out[name]?.array ?? []) + [try m.decode(b)])
            case (.inline(let m), .bytes(let b)):
                for (key, value) in try m.decode(b).object ?? [:] { out[key] = value }
            case (.intOrString, .bytes(let b)):
                out[name] = try ProtoMessage.intOrString(b)
            default:
                throw .badRequest("the protobuf body has an unexpected encoding for field \(name)")
            }
        }
        return .object(out)
    }

    static func intOrString(_ bytes: [UInt8]) throws(KubeError) -> JSON {
        var isString = false, number = 0, text = ""
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            switch (f, v) {
            case (1, .varint(let t)): isString = t == 1
            case (2, .varint(let n)): number = Int(Int32(truncatingIfNeeded: n))
            case (3, .bytes(let s)): text = String(decoding: s, as: UTF8.self)
            default: continue
            }
        }
        return isString ? .string(text) : .int(number)
    }

    /// A map entry is a message {1 key, 2 value}.
    static func mapEntry(_ bytes: [UInt8]) throws(KubeError) -> (String, [UInt8]) {
        var key = "", value: [UInt8] = []
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            guard case .bytes(let b) = v else { continue }
            if f == 1 { key = String(decoding: b, as: UTF8.self) } else if f == 2 { value = b }
        }
        return (key, value)
    }
}

/// Protobuf wire format: a key varint (field << 3 | wire type) then the value.
struct ProtoReader {
    enum Value { case varint(UInt64), bytes([UInt8]), fixed }

    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func varint() throws(KubeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        throw .badRequest("the protobuf body is truncated or malformed (bad varint at byte \(position))")
    }

    mutating func next() throws(KubeError) -> (Int, Value)? {
        guard position < bytes.count else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1, 5:
            let size = key & 7 == 1 ? 8 : 4
            guard position + size <= bytes.count else { throw .badRequest("the protobuf body is truncated") }
            position += size
            return (field, .fixed)
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - position) else { throw .badRequest("the protobuf body is truncated (field \(field))") }
            let end = position + Int(length)
            defer { position = end }
            return (field, .bytes(Array(bytes[position..<end])))
        default:
            throw .badRequest("the protobuf body uses an unsupported wire type \(key & 7) (field \(field))")
        }
    }
}

/// Standard base64 with padding, as JSON carries `[]byte`.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
