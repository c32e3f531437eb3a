import JQ
import JSONValue
import Kube
import KubeMemory
import Platform
import Spec
import Synchronization

/// What became of one scenario.
public struct ScenarioResult: Sendable {
    public var name: String
    public var file: String
    public var mark: SourceMark
    /// Empty when it passed. The failures of the first step that failed (a scenario stops there).
    public var failures: [ScenarioFailure]
    /// Steps run (all of them when it passed).
    public var stepsRun: Int
    public var virtualTime: Duration
    public var wallTime: Duration
    /// Every runtime log line of the scenario.
    public var log: [String]

    public var passed: Bool { failures.isEmpty }

    public init(name: String, file: String, mark: SourceMark, failures: [ScenarioFailure], stepsRun: Int = 0,
                virtualTime: Duration = .zero, wallTime: Duration = .zero, log: [String] = []) {
        self.name = name
        self.file = file
        self.mark = mark
        self.failures = failures
        self.stepsRun = stepsRun
        self.virtualTime = virtualTime
        self.wallTime = wallTime
        self.log = log
    }
}

/// One thing that did not hold, where the scenario says it, with what was expected and
/// what was found (the reporter shows them as a diff) and the log of the step.
public struct ScenarioFailure: Sendable {
    public var mark: SourceMark
    /// The step (1-based) and its title; nil before the first step (objects, start).
    public var step: Int?
    public var stepTitle: String?
    public var message: String
    public var expected: String?
    public var found: String?
    /// Lines worth reading beside it (the object as found, the writes made).
    public var context: String?
    /// The handler and step log of the step.
    public var log: [String]

    public init(mark: SourceMark, step: Int? = nil, stepTitle: String? = nil, message: String, expected: String? = nil,
                found: String? = nil, context: String? = nil, log: [String] = []) {
        self.mark = mark
        self.step = step
        self.stepTitle = stepTitle
        self.message = message
        self.expected = expected
        self.found = found
        self.context = context
        self.log = log
    }
}

/// Runs scenarios on the in-process cluster and a virtual clock (`SimulatedOperator`):
/// creates the objects, starts the operator, then does each step's action, lets the
/// operator settle and checks the step's expectations (`ExpectationChecker`). Opens no
/// port and starts no process. Called by `yopf test`; one scenario at a time.
public final class ScenarioRunner: Sendable {
    /// Called with trace lines (`-v`): each step as it starts, and every log line.
    let trace: (@Sendable (String) -> Void)?
    private let operators = Mutex<[String: LoadedOperator]>([:])

    public init(trace: (@Sendable (String) -> Void)? = nil) {
        self.trace = trace
    }

    /// The operator at `path`, loaded once per run of `yopf test`.
    public func loadOperator(_ path: String) -> Result<LoadedOperator, ScenarioRuntimeError> {
        if let cached = operators.withLock({ $0[path] }) { return .success(cached) }
        let (loaded, diagnostics) = OperatorLoader.load(paths: [path])
        guard diagnostics.isEmpty else {
            return .failure(ScenarioRuntimeError("the operator \(path) has problems (yopf check \(path)):\n" + diagnostics.map { "  \($0)" }.joined(separator: "\n")))
        }
        guard loaded.count == 1, let op = loaded.first else {
            return .failure(ScenarioRuntimeError("\(path) holds \(loaded.count) operators; give the scenario operator: with the folder or file of one"))
        }
        operators.withLock { $0[path] = op }
        return .success(op)
    }

    public func run(_ scenario: Scenario) async -> ScenarioResult {
        let started = ContinuousClock.now
        var result = ScenarioResult(name: scenario.name, file: scenario.file, mark: scenario.mark, failures: [], stepsRun: 0,
                                    virtualTime: .zero, wallTime: .zero, log: [])
        let loaded: LoadedOperator
        switch loadOperator(scenario.operatorPath) {
        case .success(let op): loaded = op
        case .failure(let e):
            result.failures = [ScenarioFailure(mark: scenario.mark, message: e.message, log: [])]
            return result
        }
        let problems = ScenarioParser.validate(scenario, against: loaded)
        if !problems.isEmpty {
            result.failures = problems.map { ScenarioFailure(mark: SourceMark(file: $0.file, line: $0.line, column: $0.column), message: $0.message, log: []) }
            return result
        }
        let clock = VirtualClock(wallMicroseconds: scenario.startMicroseconds)
        var echo: (@Sendable (String) -> Void)?
        if let trace { echo = { line in trace("    " + line) } }
        let log = LogBuffer(echo: echo)
        let sim = SimulatedOperator(loaded: loaded, clock: clock, log: log)
        let events = EventLog()
        let changes = ChangeLog()
        sim.cluster.observe { (change: ClusterChange) in
            if change.resource == "events" && change.group.isEmpty {
                if change.type != WatchEvent.EventType.deleted { events.add(change.object) }
            } else {
                changes.add(change)
            }
        }
        let pool = scenario.program.map { JQPool(program: $0, maxWorkers: 1) }
        let checker = ExpectationChecker(sim: sim, scenario: scenario, pool: pool, events: events, changes: changes)
        defer {}
        do {
            try await sim.installCRD()
            for object in scenario.objects.sorted(by: { Self.isCRD($0.object) && !Self.isCRD($1.object) }) {
                do {
                    _ = try await checker.create(object.object)
                } catch {
                    result.failures = [ScenarioFailure(mark: object.mark, message: "cannot create \(Self.describe(object.object)): \(Self.text(error))", log: log.all)]
                    return await finish(result, sim, started)
                }
            }
            for answer in scenario.answers { sim.commands.add(answer) }
            trace?("  start the operator")
            try await sim.start()
        } catch {
            result.failures = [ScenarioFailure(mark: scenario.mark, message: "the operator did not start: \(Self.text(error))", log: log.all)]
            return await finish(result, sim, started)
        }
        for step in scenario.steps {
            trace?("  step \(step.number) (line \(step.mark.line)): \(step.title)")
            let window = ExpectationChecker.Window(log: log.count, commands: sim.commands.recorded.count, calls: sim.api.callCount, events: events.count, changes: changes.count)
            do {
                if let action = step.action { try await perform(action, sim: sim, checker: checker) }
            } catch {
                result.failures = [ScenarioFailure(mark: step.mark, step: step.number, stepTitle: step.title,
                                                   message: "the action failed: \(Self.text(error))", log: log.lines(from: window.log))]
                result.stepsRun = step.number
                return await finish(result, sim, started)
            }
            var failures: [ScenarioFailure] = []
            for expectation in step.expectations {
                if var failure = await checker.check(expectation, since: window) {
                    failure.step = step.number
                    failure.stepTitle = step.title
                    failure.log = log.lines(from: window.log)
                    failures.append(failure)
                }
            }
            result.stepsRun = step.number
            if !failures.isEmpty {
                result.failures = failures
                return await finish(result, sim, started)
            }
        }
        return await finish(result, sim, started)
    }

    private func finish(_ result: ScenarioResult, _ sim: SimulatedOperator, _ started: ContinuousClock.Instant) async -> ScenarioResult {
        await sim.stop()
        var r = result
        r.virtualTime = sim.clock.elapsed
        r.wallTime = ContinuousClock.now - started
        r.log = sim.log.all
        return r
    }

    func perform(_ action: ScenarioAction, sim: SimulatedOperator, checker: ExpectationChecker) async throws {
        switch action {
        case .create(let o):
            _ = try await checker.create(o.object)
            try await sim.settle()
        case .update(let o):
            try await checker.update(o.object)
            try await sim.settle()
        case .patch(let target, let merge, let subresource):
            let ref = try await checker.ref(target)
            _ = try await sim.cluster.patch(ref, subresource: subresource, type: .merge, body: merge, options: ExpectationChecker.writeOptions)
            try await sim.settle()
        case .delete(let target):
            _ = try await sim.cluster.delete(try await checker.ref(target))
            try await sim.settle()
        case .advance(let duration):
            try await sim.advance(by: duration)
        case .completeJob(let job):
            let (namespace, name) = try await checker.job(job)
            try await sim.completeJob(namespace: namespace, name: name)
            try await sim.settle()
        case .failJob(let job, let exitCode, let message, let log):
            let (namespace, name) = try await checker.job(job)
            try await sim.failJob(namespace: namespace, name: name, exitCode: exitCode, message: message, log: log)
            try await sim.settle()
        case .answer(let answer):
            sim.commands.add(answer)
        case .failCalls(let failure):
            sim.api.fail(failure)
        case .kill:
            await sim.kill()
        case .start, .restart:
            try await sim.restart()
        }
    }

    static func isCRD(_ o: JSON) -> Bool { o["kind"] == "CustomResourceDefinition" }

    static func describe(_ o: JSON) -> String {
        "\(o["kind"]?.string ?? "?") \(o["metadata"]?["name"]?.string ?? "?")"
    }

    /// An error as a person reads it (a KubeError's message, not its dump).
    static func text(_ error: any Error) -> String {
        if let e = error as? KubeError { return "\(e.code) \(e.reason): \(e.message)" }
        if let e = error as? ScenarioRuntimeError { return e.message }
        return "\(error)"
    }
}

/// Every other change the cluster saw, in order (what `history:` reads).
final class ChangeLog: Sendable {
    private let changes = Mutex<[ClusterChange]>([])
    func add(_ change: ClusterChange) { changes.withLock { $0.append(change) } }
    var count: Int { changes.withLock { $0.count } }
    func changes(from index: Int) -> [ClusterChange] { changes.withLock { Array($0.dropFirst(index)) } }
}

/// The Events the cluster saw created or bumped, in order.
final class EventLog: Sendable {
    private let events = Mutex<[JSON]>([])
    func add(_ event: JSON) { events.withLock { $0.append(event) } }
    var count: Int { events.withLock { $0.count } }
    func events(from index: Int) -> [JSON] { events.withLock { Array($0.dropFirst(index)) } }
}
