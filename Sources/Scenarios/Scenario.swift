import JQ
import JSONValue
import KubeMemory

/// A scenario of `yopf test`, as read from its file (`ScenarioParser`): the objects that
/// exist before the operator starts, then steps — an action and what must hold after it.
/// Every part keeps the place it was written (`SourceMark`), which is what a failure
/// names. What the actions and expectations do is `ScenarioRunner`'s and
/// `ExpectationChecker`'s; docs/testing.md describes the language.
public struct Scenario: Sendable {
    public var name: String
    public var file: String
    public var mark: SourceMark
    /// The operator folder or file (the folder above `tests/` unless `operator:` says).
    public var operatorPath: String
    /// Wall time when the scenario starts (microseconds since the epoch).
    public var startMicroseconds: Int
    /// The namespace of objects and targets that name none.
    public var namespace: String
    public var objects: [PlacedObject]
    public var answers: [PodCommandScript.Answer]
    public var steps: [ScenarioStep]
    /// The file's jq expressions, compiled together; `Expression.index` points into it.
    public var program: JQProgram?
}

/// `file:line:col` of something in a scenario file.
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An object a scenario creates or updates, and where it was written.
public struct PlacedObject: Sendable {
    public var object: JSON
    public var mark: SourceMark
}

public struct ScenarioStep: Sendable {
    /// 1-based, as messages say it.
    public var number: Int
    public var mark: SourceMark
    /// `name:` of the step, else a description of its action.
    public var title: String
    public var action: ScenarioAction?
    public var expectations: [Expectation]
}

/// What an object target names: a kind (and its apiVersion, when the kind is not unique),
/// a name (none: every object of the kind), a namespace, labels.
public struct ObjectTarget: Sendable, Equatable, CustomStringConvertible {
    public var apiVersion: String?
    public var kind: String
    public var name: String?
    public var namespace: String?
    public var labels: [String: String]

    public var description: String {
        var s = kind
        if let name { s += " " + (namespace.map { "\($0)/" } ?? "") + name }
        if !labels.isEmpty { s += " with labels " + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        return s
    }
}

/// A Job a scenario completes or fails: by name, or the first whose name starts with a prefix.
public struct JobTarget: Sendable, Equatable {
    public var name: String?
    public var prefix: String?
    public var namespace: String?
}

/// A jq expression of the scenario file, by its index in the file's program.
public struct ScenarioExpression: Sendable, Equatable {
    public var text: String
    public var index: Int
}

public enum ScenarioAction: Sendable {
    case create(PlacedObject)
    case update(PlacedObject)
    case patch(ObjectTarget, merge: JSON, subresource: String?)
    case delete(ObjectTarget)
    case advance(Duration)
    case completeJob(JobTarget)
    case failJob(JobTarget, exitCode: Int, message: String?, log: String?)
    case answer(PodCommandScript.Answer)
    case failCalls(FaultRule)
    case kill
    case start
    case restart
}

public struct Expectation: Sendable {
    public var mark: SourceMark
    public var kind: Kind

    public enum Kind: Sendable {
        /// An object (or, without a name, the list of objects) and what must hold of it;
        /// with `history`, of the list of its states after each change during the step.
        case object(ObjectTarget, ObjectCheck, history: Bool)
        /// Handlers (`id`) or steps (`id/step`) that ran during the step.
        case ran([String])
        case notRan([String])
        /// An Event posted (or bumped) during the step; `absent`: none such.
        case event(EventMatch, absent: Bool)
        /// Exactly these commands ran in pods during the step, in this order.
        case commands([CommandMatch])
        /// The operator made this many writes during the step.
        case writes(count: Int, verb: String?, resource: String?)
    }
}

public enum ObjectCheck: Sendable {
    case exists(Bool)
    /// The expression yields true.
    case holds(ScenarioExpression)
    /// The expression yields this value.
    case equals(ScenarioExpression, JSON)
}

public struct EventMatch: Sendable, Equatable, CustomStringConvertible {
    public var reason: String?
    public var type: String?
    /// A part of the message.
    public var message: String?
    /// The involved object's kind and name.
    public var kind: String?
    public var name: String?

    public var description: String {
        [reason.map { "reason \($0)" }, type.map { "type \($0)" }, message.map { "message containing \"\($0)\"" },
         kind.map { "about a \($0)" }, name.map { "named \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}

public struct CommandMatch: Sendable, Equatable {
    public var command: [String]
    /// The pod's name starts with this.
    public var pod: String?
    public var container: String?
    public var stdin: String?
}
