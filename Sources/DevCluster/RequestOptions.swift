import Platform
import JSONValue
import Kube

/// Query parameters and `DeleteOptions` bodies turned into the `Kube` option types.
enum RequestOptions {
    static func list(_ r: APIRequest) throws(KubeError) -> ListOptions {
        ListOptions(
            labelSelector: nonEmpty(r.query["labelSelector"]), fieldSelector: nonEmpty(r.query["fieldSelector"]),
            limit: try int(r, "limit"), continueToken: nonEmpty(r.query["continue"]),
            resourceVersion: nonEmpty(r.query["resourceVersion"]))
    }

    static func watch(_ r: APIRequest) throws(KubeError) -> WatchOptions {
        WatchOptions(
            resourceVersion: nonEmpty(r.query["resourceVersion"]), labelSelector: nonEmpty(r.query["labelSelector"]),
            fieldSelector: nonEmpty(r.query["fieldSelector"]), allowBookmarks: r.flag("allowWatchBookmarks"),
            timeoutSeconds: try int(r, "timeoutSeconds"))
    }

    static func write(_ r: APIRequest) throws(KubeError) -> WriteOptions {
        WriteOptions(fieldManager: nonEmpty(r.query["fieldManager"]), force: r.flag("force"), dryRun: try dryRun(r.query["dryRun"]),
                     fieldValidation: try fieldValidation(r))
    }

    /// Query parameters first, then the body (kubectl sends the body, client-go may send either).
    static func delete(_ r: APIRequest) throws(KubeError) -> DeleteOptions {
        var options = DeleteOptions()
        if let p = nonEmpty(r.query["propagationPolicy"]) { options.propagationPolicy = try policy(p) }
        options.gracePeriodSeconds = try int(r, "gracePeriodSeconds")
        options.dryRun = try dryRun(r.query["dryRun"])
        let text = r.bodyText.trimmingBlanks()
        guard !text.isEmpty else { return options }
        let body: JSON
        do { body = try JSON.parse(text) } catch {
            throw .badRequest("the DeleteOptions body is not valid JSON: \(error)")
        }
        if let p = body["propagationPolicy"]?.string { options.propagationPolicy = try policy(p) }
        if body["orphanDependents"]?.bool == true, options.propagationPolicy == nil { options.propagationPolicy = .orphan }
        if let g = body["gracePeriodSeconds"]?.int { options.gracePeriodSeconds = g }
        if let uid = body["preconditions"]?["uid"]?.string { options.preconditionUID = uid }
        if let rv = body["preconditions"]?["resourceVersion"]?.string { options.preconditionResourceVersion = rv }
        if let d = body["dryRun"]?.array, d.contains(where: { $0.string == "All" }) { options.dryRun = true }
        return options
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    static func int(_ r: APIRequest, _ name: String) throws(KubeError) -> Int? {
        guard let text = nonEmpty(r.query[name]) else { return nil }
        guard let value = Int(text) else { throw .badRequest("invalid value for query parameter \(name): \"\(text)\" is not an integer") }
        return value
    }

    static func dryRun(_ value: String?) throws(KubeError) -> Bool {
        guard let value = nonEmpty(value) else { return false }
        guard value == "All" else { throw .badRequest("invalid dryRun value \"\(value)\": the only supported value is \"All\"") }
        return true
    }

    static func policy(_ value: String) throws(KubeError) -> PropagationPolicy {
        guard let p = PropagationPolicy(rawValue: value) else {
            throw .badRequest("invalid propagationPolicy \"\(value)\": must be Orphan, Background or Foreground")
        }
        return p
    }

    static func fieldValidation(_ r: APIRequest) throws(KubeError) -> FieldValidation? {
        guard let v = nonEmpty(r.query["fieldValidation"]) else { return nil }
        guard let validation = FieldValidation(rawValue: v) else {
            throw .badRequest("fieldValidation must be one of Ignore, Warn, Strict (got \"\(v)\")")
        }
        return validation
    }
}
