import Kube
import Platform

/// The one answer to "is this failure permanent?" for the whole runtime.
///
/// Permanent: only a change of the resource (or of the operator file) can fix it, so
/// retrying the same request would fail the same way — the handler fails, `Degraded`
/// becomes True and the user's next change starts a new cycle (or `yopf.dev/retry`).
/// Retryable: the cluster may change on its own — an object appears, an administrator
/// grants a permission, the server recovers — so the handler retries with its backoff.
public enum ErrorPolicy {
    /// An answer of the API server.
    public static func isPermanent(_ e: KubeError) -> Bool {
        switch e.code {
        case 400,  // the request is malformed (a bad manifest, an invalid patch)
             405,  // the resource does not support the verb
             413,  // the body is too large
             415,  // the patch type is not supported
             422:  // the object is invalid
            return true
        default:
            // 403 (a permission can be granted), 404 (the object may appear), 409 and 410
            // (state moved on), 429 and 5xx (load, outages).
            return false
        }
    }

    /// An exec that the API refused: a container name that does not exist stays wrong
    /// (400 naming it); a pod that is not running yet may run soon (also a 400).
    public static func isPermanentExec(_ e: KubeError) -> Bool {
        e.code == 400 && (e.message.includes("is not valid for pod") || e.message.includes("must be specified"))
    }

    /// A jq evaluation error. The same inputs give the same error, so an expression that
    /// reads only the resource (`.`, `$old`, `$new`, `$diff`) fails for good; one that
    /// also reads what earlier steps found (`$steps`) may succeed when the cluster
    /// changes, so it is retried.
    public static func isPermanentEvaluation(source: String) -> Bool {
        !source.includes("$steps")
    }

    /// A step error for an API answer, classified.
    public static func stepError(_ message: String, _ e: KubeError) -> StepError {
        StepError("\(message): \(e.message)", permanent: isPermanent(e))
    }
}
