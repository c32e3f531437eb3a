import JSONValue
import Kube
import Logging
import Platform
import Reactor
import Spec
import Steps

/// The one writer of what yopf keeps in the handled object: `status` (progress and diff
/// base under `status.yopf`, handler results, `status` step fields, conditions), the
/// finalizer, and the cleanup of children an owner reference cannot reach.
///
/// The lifecycle gathers a pass's changes and calls `write` once per resume point (after
/// a step that is not the last, and at the end of a handler or cycle). Every write's
/// answer becomes the object the pass continues with, and its resourceVersion is
/// remembered, so that the watch event it causes is recognised as our own.
struct StatusWriter: Sendable {
    let api: any KubeAPI
    let info: ResourceInfo
    let fieldManager: String
    let finalizer: String
    /// Condition types that handlers set through `status` steps: yopf leaves them to the
    /// handlers (a timer that reports readiness owns `Ready`).
    let handlerConditionTypes: Set<String>
    let resolver: ResourceResolver
    let memory: ObjectMemory
    let clock: any RuntimeClock

    func ref(_ object: JSON) -> ObjectRef {
        ObjectRef(info.gvr, namespace: object["metadata"]?["namespace"]?.string, name: object["metadata"]?["name"]?.string ?? "")
    }

    func key(_ object: JSON) -> ObjectKey {
        ObjectKey(namespace: object["metadata"]?["namespace"]?.string, name: object["metadata"]?["name"]?.string ?? "")
    }

    /// One status write: progress and diff base, results and `status` step fields, conditions.
    /// Nothing is sent when nothing changed.
    func write(_ object: inout JSON, state: ObjectState, extra: JSON, conditions: [Condition]) async throws {
        let current = object["status"] ?? [:]
        // Conditions a `status` step sets are merged by type after yopf's own, so a
        // handler can own a condition (even Ready) instead of having it replaced.
        var extra = extra
        let handlerConditions = (extra["conditions"]?.array ?? []).compactMap(Condition.init(json:))
        extra["conditions"] = nil
        // Top-level status fields a handler sets are replaced whole, not deep-merged, so
        // that a summary which loses an entry loses it in the status too.
        var desired = current
        for (key, value) in extra.object ?? [:] { desired[key] = value.isNull ? nil : value }
        desired["yopf"] = state.json
        let own = conditions.filter { c in !handlerConditionTypes.contains(c.type) && !handlerConditions.contains { $0.type == c.type } }
        let all = own + handlerConditions
        if !all.isEmpty {
            desired["conditions"] = Conditions.merge(all, into: current["conditions"], generation: object["metadata"]?["generation"]?.int, now: clock.timestamp)
        }
        let patch = current.mergePatch(to: desired)
        if patch.object?.isEmpty ?? true { return }
        let ref = ref(object)
        let subresource = info.subresources.contains("status") ? "status" : nil
        var attempt = 0
        while true {
            attempt += 1
            do {
                let result = try await api.patch(ref, subresource: subresource, type: .merge, body: ["status": patch], options: WriteOptions(fieldManager: fieldManager))
                object = result
                memory.rememberWrite(key(result), resourceVersion: result["metadata"]?["resourceVersion"]?.string)
                if result["status"]?["yopf"] == nil {
                    throw KubeError.invalid(ref, kind: info.kind, causes: [(field: "status.yopf", message: "the CRD's schema drops status.yopf: give status `x-kubernetes-preserve-unknown-fields: true`", type: "FieldValueInvalid")])
                }
                return
            } catch let e as KubeError where (e.code == 409 || e.code == 429 || e.code >= 500) && attempt < 5 {
                // A merge patch carries no resourceVersion, so retrying it as it is is safe.
                let retryAfter = e.status["details"]?["retryAfterSeconds"]?.int ?? 0
                try await clock.sleep(for: max(.milliseconds(200 * attempt), .seconds(min(retryAfter, 30))))
            }
        }
    }

    // MARK: - Finalizer

    func ensureFinalizer(_ object: inout JSON) async throws {
        let finalizers = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
        if finalizers.contains(finalizer) { return }
        try await patchFinalizers(&object, finalizers + [finalizer])
    }

    func removeFinalizer(_ object: inout JSON) async throws {
        let finalizers = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
        guard finalizers.contains(finalizer) else { return }
        try await patchFinalizers(&object, finalizers.filter { $0 != finalizer })
    }

    /// Replaces the finalizer list guarded by the resourceVersion, so that another
    /// controller's finalizer added meanwhile is never lost (409 → read again, retry).
    private func patchFinalizers(_ object: inout JSON, _ list: [String]) async throws {
        let ref = ref(object)
        var target = list
        for attempt in 1...5 {
            let rv = object["metadata"]?["resourceVersion"] ?? .null
            do {
                let result = try await api.patch(ref, subresource: nil, type: .merge,
                    body: ["metadata": ["finalizers": .array(target.map { .string($0) }), "resourceVersion": rv]],
                    options: WriteOptions(fieldManager: fieldManager))
                object = result
                memory.rememberWrite(key(result), resourceVersion: result["metadata"]?["resourceVersion"]?.string)
                return
            } catch let e as KubeError where e.code == 409 && attempt < 5 {
                object = try await api.get(ref)
                let now = object["metadata"]?["finalizers"]?.array?.compactMap(\.string) ?? []
                let adding = list.contains(finalizer)
                target = adding ? (now.contains(finalizer) ? now : now + [finalizer]) : now.filter { $0 != finalizer }
                if target == now { return }
            } catch let e as KubeError where e.code == 404 {
                return
            }
        }
    }

    // MARK: - Children an owner reference cannot reach

    /// Deletes the children linked by labels (listed in `status.yopf.children`), before
    /// the finalizer goes. A child of the same name that is not ours (another uid) stays.
    func releaseLabelOwnedChildren(_ children: [ChildRef], log: Logger) async throws {
        for c in children {
            do {
                let childInfo = try await resolver.resolve(apiVersion: c.apiVersion.isEmpty ? nil : c.apiVersion, kind: c.kind)
                _ = try await api.delete(ObjectRef(childInfo.gvr, namespace: c.namespace, name: c.name),
                                         options: DeleteOptions(propagationPolicy: .background, preconditionUID: c.uid.isEmpty ? nil : c.uid))
            } catch let e as KubeError where e.code == 404 || e.code == 409 {
                continue  // gone already, or a new object of the same name that is not ours
            }
            log.info("deleted a child in another scope", metadata: ["child": .string("\(c.kind)/\(c.namespace.map { "\($0)/" } ?? "")\(c.name)")])
        }
    }
}
