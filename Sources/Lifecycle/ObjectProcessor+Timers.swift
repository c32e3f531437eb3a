import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps

/// Timer handlers (`on: timer`): run when due, outside the lifecycle's cycles (their
/// progress record is of cycle 0), with one status write per run; due again an interval
/// later, or after their backoff when a run failed.
extension ObjectProcessor {
    /// Runs a due timer; returns when it is due next.
    func runTimer(_ id: String, _ pass: inout Pass) async throws -> ContinuousClock.Instant? {
        guard let handler = spec.spec.handlers.first(where: { $0.id == id && $0.on == .timer }), let interval = handler.interval else { return nil }
        let next = clock.now + interval
        if isStopping { return nil }
        if pass.object["metadata"]?["deletionTimestamp"].map({ !$0.isNull }) ?? false { return nil }
        if let filter = spec.spec.watch.filter, !(try await evaluator.isTrue(filter, Scope(object: pass.object))) { return next }
        let scope = Scope(object: pass.object, variables: ["reason": "timer"])
        if let when = handler.when, !(try await evaluator.isTrue(when, scope)) { return next }
        var state = ObjectState(object: pass.object)
        var record = state.progress[id].flatMap { $0.purpose == .timer && !$0.isFinished ? $0 : nil } ?? ProgressRecord(cycle: 0, purpose: .timer)
        if let wait = record.delayed.flatMap({ RetryTime.remaining(until: $0, clock: clock) }) {
            return clock.now + wait  // a retry's backoff is not over
        }
        var extra: JSON = [:]
        let outcome = try await runHandler(handler, record: &record, pass: &pass, variables: ["new": pass.object, "reason": "timer"],
                                           state: &state, extra: &extra, writeBetweenSteps: false)
        state.progress[id] = record
        if case .stopped = outcome { return nil }
        try await writer.write(&pass.object, state: state, extra: extra, conditions: [])
        if case .retry(let d) = outcome { return clock.now + d }
        return next
    }
}
