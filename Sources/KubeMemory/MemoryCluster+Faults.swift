import JSONValue
import Kube

/// Fault injection and request accounting.
extension MemoryCluster {
    /// Adds a rule; rules are checked in the order added and the first that fires wins.
    public func addFault(_ rule: FaultRule) {
        state.withLock { $0.faults.append(rule) }
    }

    /// Loads rules from the documented file shape (see `FaultRule`) and adds them.
    public func addFaults(from json: JSON) throws(FaultRule.LoadError) {
        let rules = try FaultRule.load(from: json)
        state.withLock { $0.faults.append(contentsOf: rules) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Requests served so far with this verb (get, list, watch, create, update, patch,
    /// delete) on this resource (plural), any subresource, namespace and name.
    public func requestCount(verb: String, resource: String) -> Int {
        requestCount { $0.verb == verb && $0.resource == resource }
    }

    /// Requests served so far matching a predicate, e.g. the writes to one object.
    public func requestCount(where matches: (RequestKey) -> Bool) -> Int {
        state.withLock { s in s.requestCounts.reduce(0) { matches($1.key) ? $0 + $1.value : $0 } }
    }

    /// All counts by verb, resource, subresource, namespace and name.
    public func requestCounts() -> [RequestKey: Int] {
        state.withLock { $0.requestCounts }
    }

    public func resetRequestCounts() {
        state.withLock { $0.requestCounts.removeAll() }
    }

    /// Counts the request and applies the first fault rule that fires: waits for latency,
    /// throws errors. Returns how many events a watch may carry before being dropped.
    @discardableResult
    func admit(_ verb: String, _ gvr: GroupVersionResource, _ subresource: String?, _ namespace: String?,
               _ name: String?, _ context: RequestContext) async throws -> Int? {
        let key = RequestKey(verb: verb, resource: gvr.resource, subresource: subresource, namespace: namespace, name: name)
        let fired: FaultRule? = state.withLock { s in
            s.requestCounts[key, default: 0] += 1
            return FaultRule.fire(in: &s.faults, for: key)
        }
        guard let fired else { return nil }
        switch fired.action {
        case .latency(let ms):
            try await Task.sleep(for: .milliseconds(ms))
            return nil
        case .dropWatch(let n):
            return verb == "watch" ? n : nil
        case .error:
            if let e = fired.error(for: key, gvr: gvr) { throw e }
            return nil
        }
    }
}
