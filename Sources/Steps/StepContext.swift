import JQ
import JSONValue
import Kube
import Logging
import Platform
import Spec

/// What expressions see: `.` is the object, plus the named variables
/// (`$old`, `$new`, `$diff`, `$steps`, `$item`, `$index`, …).
public struct Scope: Sendable {
    public var object: JSON
    public var variables: [String: JSON]

    public init(object: JSON, variables: [String: JSON] = [:]) {
        self.object = object
        self.variables = variables
    }

    /// The outputs of earlier steps, `$steps`.
    public var steps: JSON {
        get { variables["steps"] ?? [:] }
        set { variables["steps"] = newValue }
    }
}

/// A step that did not do what it should. `permanent` failures are not retried.
public struct StepError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var permanent: Bool

    public init(_ message: String, permanent: Bool = false) {
        self.message = message
        self.permanent = permanent
    }

    public var description: String { message }
}

/// Evaluates the operator's compiled expressions and templates.
public struct Evaluator: Sendable {
    public let pool: JQPool
    /// Asked before each evaluation: a value to use instead of evaluating the expression,
    /// or nil to evaluate it. `yopf plan` puts placeholders there for expressions that read
    /// what it cannot know (an earlier step's output). Nil in the runtime.
    public let standIn: (@Sendable (Expression) -> JSON?)?

    public init(pool: JQPool, standIn: (@Sendable (Expression) -> JSON?)? = nil) {
        self.pool = pool
        self.standIn = standIn
    }

    /// The first output of an expression (null when none).
    public func value(_ e: Expression, _ scope: Scope) async throws -> JSON {
        if let standIn, let value = standIn(e) { return value }
        do {
            return try await pool.evaluateFirst(e.id.index, input: scope.object, variables: scope.variables)
        } catch let error as JQEvaluationError {
            throw Self.failure(e, error)
        }
    }

    /// Every output of an expression.
    public func values(_ e: Expression, _ scope: Scope) async throws -> [JSON] {
        if let standIn, let value = standIn(e) { return [value] }
        do {
            return try await pool.evaluate(e.id.index, input: scope.object, variables: scope.variables)
        } catch let error as JQEvaluationError {
            throw Self.failure(e, error)
        }
    }

    /// A jq error is about the data it ran on: see `ErrorPolicy.isPermanentEvaluation`.
    static func failure(_ e: Expression, _ error: JQEvaluationError) -> StepError {
        StepError("jq expression `\(short(e.source))` failed: \(error.message)",
                  permanent: ErrorPolicy.isPermanentEvaluation(source: e.source))
    }

    /// jq truthiness of the first output.
    public func isTrue(_ e: Expression, _ scope: Scope) async throws -> Bool {
        try await value(e, scope).isTruthy
    }

    /// A template with its `${{ }}` placeholders filled in (`$${{` becomes `${{`).
    public func render(_ t: TemplateValue, _ scope: Scope) async throws -> JSON {
        return try await t.render { id in
            try await value(Expression(id: id, source: t.template.expressions[safe: t.expressionIDs.firstIndex(of: id)]), scope)
        }
    }

    /// A template that must render to a string (names, namespaces, messages).
    public func string(_ t: TemplateValue, _ scope: Scope, what: String) async throws -> String {
        let v = try await render(t, scope)
        switch v {
        case .string(let s): return s
        case .int, .double, .bool: return v.serialized()
        default: throw StepError("\(what) must be a string, but it rendered to \(v.typeName) \(Self.short(v.serialized()))")
        }
    }

    static func short(_ s: String) -> String { s.count > 80 ? String(s.prefix(77)) + "…" : s }
}

/// Everything a step needs to act, for one handler run on one object.
public struct StepEnvironment: Sendable {
    /// The API, possibly with a tenant's credentials.
    public var api: any KubeAPI
    public var resolver: ResourceResolver
    public var evaluator: Evaluator
    /// The resource being handled, as it was when the handler started.
    public var owner: JSON
    public var ownerInfo: ResourceInfo
    /// `metadata.managedFields` manager of yopf's server-side applies.
    public var fieldManager: String
    /// Where relative files (stdin files, run commands) are looked up.
    public var operatorDirectory: String
    public var logger: Logger
    /// Posts Kubernetes Events (about the owner).
    public var postEvent: @Sendable (_ type: String, _ reason: String, _ message: String) -> Void
    /// Values that must never appear in logs, events or progress messages (passwords
    /// found in the resource): replaced by `***`.
    public var redact: @Sendable (String) -> String
    /// The time steps wait by (polls, deadlines): real, or virtual under `yopf test`.
    public var clock: any RuntimeClock
    /// The operator's name: the `yopf.dev/operator` label on every child it makes, which
    /// its watch of owned kinds selects on.
    public var operatorName: String

    public init(
        api: any KubeAPI, resolver: ResourceResolver, evaluator: Evaluator, owner: JSON, ownerInfo: ResourceInfo,
        fieldManager: String, operatorDirectory: String, logger: Logger,
        postEvent: @escaping @Sendable (String, String, String) -> Void,
        redact: @escaping @Sendable (String) -> String = { $0 },
        clock: any RuntimeClock = SystemClock(), operatorName: String = ""
    ) {
        self.api = api
        self.resolver = resolver
        self.evaluator = evaluator
        self.owner = owner
        self.ownerInfo = ownerInfo
        self.fieldManager = fieldManager
        self.operatorDirectory = operatorDirectory
        self.logger = logger
        self.postEvent = postEvent
        self.redact = redact
        self.clock = clock
        self.operatorName = operatorName
    }

    public var ownerNamespace: String? { owner["metadata"]?["namespace"]?.string }
    public var ownerName: String { owner["metadata"]?["name"]?.string ?? "" }
    public var ownerUID: String { owner["metadata"]?["uid"]?.string ?? "" }
}

/// What a step leaves behind for the steps after it and for the handler's status write.
public struct StepOutcome: Sendable {
    /// `$steps.NAME` (null for steps without output).
    public var output: JSON
    /// Merged into the resource's status with the handler's progress (the `status` step).
    public var statusPatch: JSON?
    /// The objects the step made or changed on the resource's behalf (all iterations of
    /// a `forEach`): the lifecycle records those an owner reference cannot reach.
    public var children: [ChildRef]

    public init(output: JSON = .null, statusPatch: JSON? = nil, children: [ChildRef] = []) {
        self.output = output
        self.statusPatch = statusPatch
        self.children = children
    }
}

/// An object a step made for the resource, typed.
public struct ChildRef: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var uid: String
    /// The version our write left, to tell our own writes from others' in the owned watch.
    public var resourceVersion: String?
    /// How it is tied to the resource; nil: not tied (`ifExists: keep`).
    public var link: Ownership.Link?

    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String,
                resourceVersion: String? = nil, link: Ownership.Link?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.link = link
    }

    /// From an object the API returned.
    public init(_ object: JSON, link: Ownership.Link?) {
        let meta = object["metadata"] ?? [:]
        self.init(apiVersion: object["apiVersion"]?.string ?? "", kind: object["kind"]?.string ?? "",
                  namespace: meta["namespace"]?.string, name: meta["name"]?.string ?? "",
                  uid: meta["uid"]?.string ?? "", resourceVersion: meta["resourceVersion"]?.string, link: link)
    }

    /// As kept in `status.yopf.children`.
    public var json: JSON {
        var o: JSON = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        o["namespace"] = namespace.map { .string($0) } ?? .null
        return o
    }

    public init?(json: JSON) {
        guard let kind = json["kind"]?.string, let name = json["name"]?.string else { return nil }
        self.init(apiVersion: json["apiVersion"]?.string ?? "", kind: kind, namespace: json["namespace"]?.string,
                  name: name, uid: json["uid"]?.string ?? "", link: .labels)
    }
}

extension Array where Element == String {
    subscript(safe index: Int?) -> String {
        guard let index, indices.contains(index) else { return "" }
        return self[index]
    }
}
