import JSONValue
import Testing

@testable import Lifecycle

@Suite struct CauseDetectorTests {
    let finalizer = "yopf.dev/finalizer"
    func digest(_ j: JSON) -> String { j.serialized(sortedKeys: true) }

    func object(spec: JSON, status: JSON? = nil, deleting: Bool = false, finalizers: [String] = []) -> JSON {
        var o: JSON = ["apiVersion": "x/v1", "kind": "X", "metadata": ["name": "a", "namespace": "ns", "labels": ["app": "a"]], "spec": spec]
        if let status { o["status"] = status }
        if deleting { o.set("2026-01-01T00:00:00Z", at: ["metadata", "deletionTimestamp"]) }
        if !finalizers.isEmpty { o.set(.array(finalizers.map { .string($0) }), at: ["metadata", "finalizers"]) }
        return o
    }

    func handledStatus(_ o: JSON) -> JSON {
        ["yopf": ObjectState(lastCycle: 1, handled: Essence.of(o)).json]
    }

    @Test func neverHandledIsCreate() {
        let o = object(spec: ["size": 1])
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: false, digest: digest) == .create)
    }

    @Test func unchangedIsResumeOnceThenNothing() {
        var o = object(spec: ["size": 1])
        o["status"] = handledStatus(o)
        let state = ObjectState(object: o)
        #expect(CauseDetector.detect(object: o, state: state, finalizer: finalizer, resumedInThisProcess: false, digest: digest) == .resume)
        #expect(CauseDetector.detect(object: o, state: state, finalizer: finalizer, resumedInThisProcess: true, digest: digest) == nil)
    }

    @Test func specChangeIsUpdateWithDiffAndOld() throws {
        var o = object(spec: ["size": 1, "password": "a"])
        o["status"] = handledStatus(o)
        o.set("b", at: ["spec", "password"])
        let cause = CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest)
        guard case .update(let old, let diff) = cause else { Issue.record("expected update, got \(String(describing: cause))"); return }
        #expect(old?["spec"]?["password"] == "a")
        #expect(diff == [DiffEntry(op: .change, path: ["spec", "password"], old: "a", new: "b")])
    }

    @Test func statusChangeIsNotAnUpdate() {
        var o = object(spec: ["size": 1])
        var status = handledStatus(o)
        status["phase"] = "Whatever"
        o["status"] = status
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == nil)
    }

    @Test func lastAppliedAnnotationIsIgnored() {
        var o = object(spec: ["size": 1])
        o["status"] = handledStatus(o)
        o.set(["kubectl.kubernetes.io/last-applied-configuration": "{}"], at: ["metadata", "annotations"])
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == nil)
    }

    @Test func deletingWithOurFinalizerIsDelete() {
        let o = object(spec: [:], deleting: true, finalizers: [finalizer])
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == .delete)
        let other = object(spec: [:], deleting: true, finalizers: ["someone.else/x"])
        #expect(CauseDetector.detect(object: other, state: ObjectState(object: other), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == nil)
    }

    @Test func digestOnlyDetectsChangeWithoutOld() {
        var o = object(spec: ["big": "x"])
        o["status"] = ["yopf": ObjectState(lastCycle: 1, handledDigest: digest(Essence.of(o))).json]
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == nil)
        o.set("y", at: ["spec", "big"])
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == .update(old: nil, diff: []))
    }

    @Test func cycleInProgressContinues() {
        var o = object(spec: ["size": 1])
        o["status"] = ["yopf": ObjectState(cycle: .init(id: 1, purpose: .create, started: "t"), lastCycle: 1).json]
        #expect(CauseDetector.detect(object: o, state: ObjectState(object: o), finalizer: finalizer, resumedInThisProcess: true, digest: digest) == .create)
    }
}

@Suite struct ObjectStateTests {
    @Test func roundTripsThroughJSON() {
        var r = ProgressRecord(cycle: 2, purpose: .update)
        r.started = "2026-11-24T00:00:00Z"
        r.retries = 3
        r.step = 2
        r.steps = ["dump": ["exitCode": 0]]
        r.message = "boom"
        let s = ObjectState(cycle: .init(id: 2, purpose: .update, started: "t"), lastCycle: 2, progress: ["h": r], handled: ["spec": [:]])
        let back = ObjectState(object: ["status": ["yopf": s.json]])
        #expect(back == s)
    }

    @Test func malformedReadsAsEmpty() {
        let s = ObjectState(object: ["status": ["yopf": ["cycle": "nonsense", "progress": 5]]])
        #expect(s == ObjectState())
    }
}

@Suite struct ConditionsTests {
    @Test func transitionTimeMovesOnlyOnStatusChange() {
        let first = Conditions.merge([Condition("Ready", .false, reason: "Progressing", message: "m")], into: nil, generation: 1, now: "t1")
        let same = Conditions.merge([Condition("Ready", .false, reason: "Other", message: "m2")], into: first, generation: 2, now: "t2")
        #expect(same[0]?["lastTransitionTime"] == "t1")
        #expect(same[0]?["observedGeneration"] == 2)
        let flipped = Conditions.merge([Condition("Ready", .true, reason: "Handled", message: "")], into: same, generation: 2, now: "t3")
        #expect(flipped[0]?["lastTransitionTime"] == "t3")
        #expect(flipped.array?.count == 1)
    }

    @Test func keepsForeignConditions() {
        let existing: JSON = [["type": "Mine", "status": "True"]]
        let merged = Conditions.merge([Condition("Ready", .true, reason: "Handled", message: "")], into: existing, generation: nil, now: "t")
        #expect(merged.array?.count == 2)
        #expect(merged[0]?["type"] == "Mine")
    }

    @Test func reasonsAreCamelCase() {
        #expect(Conditions.reason("handler failed") == "HandlerFailed")
        #expect(Conditions.reason("409 conflict") == "Reason409Conflict")
    }
}
