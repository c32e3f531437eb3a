import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps

/// Cron handlers (`on: schedule`): run at the times their `cron` names (in `timeZone`),
/// outside the lifecycle's cycles, with what happened kept in the resource:
/// `status.yopf.schedules.<id>: {lastRun, nextRun, lastResult}` (`lastRun` is the
/// scheduled time of the last run, not when it happened to start; `pendingRun` while a
/// failed run waits for its retry).
///
/// A run missed while no operator ran (no leader, a rollout) happens once when the
/// object is first seen again — the latest missed time only, never one per missed time —
/// and only within `startingDeadline` when one is set, as a CronJob's
/// `startingDeadlineSeconds`.
extension ObjectProcessor {
    /// When each schedule of a newly seen object is due: now for a missed run to catch up,
    /// else its next time. Also brings `nextRun` in status up to date.
    func planSchedules(_ pass: inout Pass, into plan: inout Plan) async throws {
        let handlers = spec.spec.handlers.filter { $0.on == .schedule }
        guard !handlers.isEmpty else { return }
        if pass.object["metadata"]?["deletionTimestamp"].map({ !$0.isNull }) ?? false { return }
        var state = ObjectState(object: pass.object)
        let wall = clock.wallSeconds
        var changed = false
        for h in handlers {
            guard let schedule = h.schedule else { continue }
            var entry = state.schedules[h.id] ?? [:]
            var next = schedule.cron.next(after: wall, in: schedule.timeZone)
            if let interval = schedule.cron.interval {
                // `@every`: counted from the last scheduled run.
                let last = entry["lastRun"]?.string.flatMap(Timestamp.parseSeconds)
                next = last.map { max($0 + interval, wall) } ?? wall + interval
            }
            if entry["pendingRun"]?.string != nil {
                plan.add(.schedule(h.id), at: clock.now)  // a failed run waits for its retry
            } else if schedule.cron.interval == nil, let last = entry["lastRun"]?.string.flatMap(Timestamp.parseSeconds) {
                var from = last
                if let deadline = schedule.startingDeadline { from = max(last, wall - Int(deadline.components.seconds)) }
                let missed = schedule.cron.missedRuns(after: from, upTo: wall, in: schedule.timeZone)
                if missed.latest != nil {
                    pass.log.info("a scheduled run was missed; running it now", metadata: [
                        "handler": .string(h.id), "missed": .stringConvertible(missed.count),
                    ])
                    plan.add(.schedule(h.id), at: clock.now)
                } else if from != last, let deadline = schedule.startingDeadline {
                    let all = schedule.cron.missedRuns(after: last, upTo: wall, in: schedule.timeZone)
                    if let latest = all.latest {
                        let text = "Missed: \(all.exceedsCap ? "more than \(all.count)" : String(all.count)) run(s) while no operator ran, the latest (\(Timestamp.format(seconds: latest))) more than \(Durations.format(deadline)) ago"
                        pass.log.warning("scheduled runs were missed beyond startingDeadline; waiting for the next", metadata: ["handler": .string(h.id)])
                        if entry["lastResult"]?.string != text {
                            entry["lastResult"] = .string(text)
                            state.schedules[h.id] = entry
                            changed = true
                        }
                    }
                }
            }
            if let next {
                plan.add(.schedule(h.id), at: instant(ofWallSeconds: next))
                let text = Timestamp.format(seconds: next)
                if entry["nextRun"]?.string != text {
                    entry["nextRun"] = .string(text)
                    state.schedules[h.id] = entry
                    changed = true
                }
            }
        }
        if changed { try await writer.write(&pass.object, state: state, extra: [:], conditions: []) }
    }

    /// Runs a due schedule; returns when it is due next (its next time, or its retry).
    func runSchedule(_ id: String, _ pass: inout Pass) async throws -> ContinuousClock.Instant? {
        guard let handler = spec.spec.handlers.first(where: { $0.id == id && $0.on == .schedule }), let schedule = handler.schedule else { return nil }
        if isStopping { return nil }
        if pass.object["metadata"]?["deletionTimestamp"].map({ !$0.isNull }) ?? false { return nil }
        let wall = clock.wallSeconds
        var state = ObjectState(object: pass.object)
        var entry = state.schedules[id] ?? [:]
        let lastRun = entry["lastRun"]?.string.flatMap(Timestamp.parseSeconds)
        let pending = entry["pendingRun"]?.string.flatMap(Timestamp.parseSeconds)
        let scheduledNow: Int?
        var next: Int?
        if let interval = schedule.cron.interval {
            // `@every`: due an interval after the last scheduled run.
            let due = lastRun.map { $0 + interval } ?? wall
            scheduledNow = due <= wall ? wall : nil
            next = (scheduledNow ?? lastRun ?? wall) + interval
        } else {
            scheduledNow = schedule.cron.previous(atOrBefore: wall, in: schedule.timeZone)
            next = schedule.cron.next(after: wall, in: schedule.timeZone)
        }
        let nextInstant = next.map(instant(ofWallSeconds:))
        guard let scheduled = pending ?? scheduledNow, pending != nil || lastRun.map({ scheduled > $0 }) ?? true else {
            return nextInstant  // woken early, or this time already ran
        }
        if pending == nil, let deadline = schedule.startingDeadline, wall - scheduled > Int(deadline.components.seconds) {
            pass.log.warning("a scheduled run is later than its startingDeadline; skipped", metadata: ["handler": .string(id), "scheduled": .string(Timestamp.format(seconds: scheduled))])
            entry["nextRun"] = next.map { .string(Timestamp.format(seconds: $0)) } ?? .null
            entry["lastResult"] = .string("Missed: started more than \(Durations.format(deadline)) after \(Timestamp.format(seconds: scheduled))")
            state.schedules[id] = entry
            try await writer.write(&pass.object, state: state, extra: [:], conditions: [])
            return nextInstant
        }
        entry["nextRun"] = next.map { .string(Timestamp.format(seconds: $0)) } ?? .null
        var runs = true
        if let filter = spec.spec.watch.filter, !(try await evaluator.isTrue(filter, Scope(object: pass.object))) { runs = false }
        let scope = Scope(object: pass.object, variables: ["reason": "schedule"])
        if runs, let when = handler.when, !(try await evaluator.isTrue(when, scope)) { runs = false }
        guard runs else {
            entry["lastRun"] = .string(Timestamp.format(seconds: scheduled))
            entry["lastResult"] = "Skipped: when is false"
            entry["pendingRun"] = nil
            state.schedules[id] = entry
            try await writer.write(&pass.object, state: state, extra: [:], conditions: [])
            return nextInstant
        }
        var record = state.progress[id].flatMap { $0.purpose == .schedule && !$0.isFinished ? $0 : nil } ?? ProgressRecord(cycle: 0, purpose: .schedule)
        if let wait = record.delayed.flatMap({ RetryTime.remaining(until: $0, clock: clock) }) {
            return clock.now + wait  // a retry's backoff is not over
        }
        var extra: JSON = [:]
        let outcome = try await runHandler(handler, record: &record, pass: &pass, variables: ["new": pass.object, "reason": "schedule"],
                                           state: &state, extra: &extra, writeBetweenSteps: false)
        state.progress[id] = record
        var due = nextInstant
        switch outcome {
        case .stopped:
            return nil
        case .retry(let d):
            entry["pendingRun"] = .string(Timestamp.format(seconds: scheduled))
            entry["lastResult"] = .string("Retrying: \(record.message ?? "")")
            due = clock.now + d
        case .done:
            entry["pendingRun"] = nil
            entry["lastRun"] = .string(Timestamp.format(seconds: scheduled))
            entry["lastResult"] = record.success ? "Succeeded" : .string("Failed: \(record.message ?? "")")
        }
        state.schedules[id] = entry
        try await writer.write(&pass.object, state: state, extra: extra, conditions: [])
        return due
    }

    /// The clock's instant at a wall time (seconds since the epoch).
    func instant(ofWallSeconds seconds: Int) -> ContinuousClock.Instant {
        clock.instant(atWallMicroseconds: seconds &* 1_000_000)
    }
}
