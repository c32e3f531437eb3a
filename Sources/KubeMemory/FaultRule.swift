import JSONValue
import Kube

/// A scripted failure of the in-memory API server, for testing how callers cope.
///
/// A rule matches requests by verb, resource, subresource, namespace and name (each
/// optional: absent matches everything), fires at most `times` times (nil: forever) and,
/// when `probability` is set, only on that fraction of matching requests.
///
/// File shape (JSON, or the same as YAML converted to JSON) for `--faults FILE`:
///
///     {"faults": [
///       {"verb": "patch", "resource": "mysqls", "subresource": "status", "times": 2,
///        "error": {"code": 429, "retryAfterSeconds": 1}},
///       {"verbs": ["create", "update"], "resource": "configmaps", "probability": 0.1,
///        "error": {"code": 500, "message": "etcd timeout"}},
///       {"verb": "get", "latencyMilliseconds": 200},
///       {"verb": "patch", "name": "db1", "error": {"code": 409}},
///       {"verb": "watch", "resource": "mysqls", "dropWatchAfterEvents": 3}
///     ]}
///
/// A bare array of rules is accepted too. Verbs: get, list, watch, create, update, patch, delete.
public struct FaultRule: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Answer with an error: 429 (with Retry-After), 409 Conflict, 500, or any other code.
        case error(code: Int, retryAfterSeconds: Int? = nil, message: String? = nil)
        /// Delay the request, then serve it.
        case latency(milliseconds: Int)
        /// End matching watch streams after this many events (a dropped connection).
        case dropWatch(afterEvents: Int)
    }

    public var verbs: Set<String>?
    public var resource: String?
    public var subresource: String?
    public var namespace: String?
    public var name: String?
    public var times: Int?
    public var probability: Double?
    public var action: Action

    public init(
        verbs: Set<String>? = nil, resource: String? = nil, subresource: String? = nil, namespace: String? = nil,
        name: String? = nil, times: Int? = nil, probability: Double? = nil, action: Action
    ) {
        self.verbs = verbs
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.times = times
        self.probability = probability
        self.action = action
    }

    public func matches(_ r: RequestKey) -> Bool {
        if let verbs, !verbs.contains(r.verb) { return false }
        if let resource, resource != r.resource { return false }
        if let subresource, subresource != (r.subresource ?? "") { return false }
        if let namespace, namespace != (r.namespace ?? "") { return false }
        if let name, name != (r.name ?? "") { return false }
        return true
    }

    /// Takes the first rule of `rules` that fires for `r` (matching, and within its
    /// probability), counting down its `times` and dropping it when spent. Shared by the
    /// in-memory server's faults and `yopf test`'s `failCalls`.
    public static func fire(in rules: inout [FaultRule], for r: RequestKey) -> FaultRule? {
        for i in rules.indices where rules[i].matches(r) {
            if let p = rules[i].probability, Double.random(in: 0..<1) >= p { continue }
            let rule = rules[i]
            if let left = rule.times {
                if left <= 1 { rules.remove(at: i) } else { rules[i].times = left - 1 }
            }
            return rule
        }
        return nil
    }

    /// The error this rule answers with, worded as kube-apiserver would.
    func error(for r: RequestKey, gvr: GroupVersionResource) -> KubeError? {
        guard case .error(let code, let retry, let message) = action else { return nil }
        switch code {
        case 429:
            return .tooManyRequests(message ?? "Too many requests, please try again later.", retryAfterSeconds: retry ?? 1)
        case 409:
            return .conflict(ObjectRef(gvr, namespace: r.namespace, name: r.name ?? ""),
                             message ?? "the object has been modified; please apply your changes to the latest version and try again")
        case 500:
            return .internalError(message ?? "injected fault")
        default:
            return KubeError(code: code, reason: code == 503 ? "ServiceUnavailable" : "InternalError",
                             message: message ?? "injected fault (\(code))")
        }
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads rules from the documented file shape.
    public static func load(from json: JSON) throws(LoadError) -> [FaultRule] {
        let list: [JSON]
        if let a = json.array { list = a } else if let a = json["faults"]?.array { list = a } else {
            throw LoadError(message: "faults: expected a list of rules or an object with a \"faults\" list")
        }
        var out: [FaultRule] = []
        for (i, r) in list.enumerated() {
            let at = "faults[\(i)]"
            guard r.object != nil else { throw LoadError(message: "\(at): expected an object") }
            func str(_ k: String) throws(LoadError) -> String? {
                guard let v = r[k] else { return nil }
                guard let s = v.string else { throw LoadError(message: "\(at).\(k): expected a string") }
                return s
            }
            func int(_ j: JSON?, _ k: String) throws(LoadError) -> Int? {
                guard let v = j?[k] else { return nil }
                guard let n = v.int else { throw LoadError(message: "\(at).\(k): expected an integer") }
                return n
            }
            var verbs: Set<String>?
            if let v = try str("verb") { verbs = [v] }
            if let vs = r["verbs"] {
                guard let a = vs.array, a.allSatisfy({ $0.string != nil }) else {
                    throw LoadError(message: "\(at).verbs: expected a list of strings")
                }
                verbs = Set(a.compactMap(\.string))
            }
            let known: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete"]
            if let bad = verbs?.first(where: { !known.contains($0) }) {
                throw LoadError(message: "\(at): unknown verb \"\(bad)\"; use one of get, list, watch, create, update, patch, delete")
            }
            let action: Action
            if let e = r["error"] {
                guard let code = try int(e, "code") else { throw LoadError(message: "\(at).error.code: required (429, 409, 500, …)") }
                let message = e["message"]?.string
                action = .error(code: code, retryAfterSeconds: try int(e, "retryAfterSeconds"), message: message)
            } else if let ms = try int(r, "latencyMilliseconds") {
                action = .latency(milliseconds: ms)
            } else if let n = try int(r, "dropWatchAfterEvents") {
                action = .dropWatch(afterEvents: n)
            } else {
                throw LoadError(message: "\(at): needs one of \"error\", \"latencyMilliseconds\", \"dropWatchAfterEvents\"")
            }
            var probability: Double?
            if let p = r["probability"] {
                guard let d = p.double, d >= 0, d <= 1 else { throw LoadError(message: "\(at).probability: expected a number from 0 to 1") }
                probability = d
            }
            out.append(FaultRule(
                verbs: verbs, resource: try str("resource"), subresource: try str("subresource"),
                namespace: try str("namespace"), name: try str("name"), times: try int(r, "times"),
                probability: probability, action: action))
        }
        return out
    }
}

/// One request as counted and matched against faults.
public struct RequestKey: Hashable, Sendable {
    public var verb: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String?

    public init(verb: String, resource: String, subresource: String? = nil, namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }
}
