import JSONValue

/// Options of a list call (`GET` on a collection).
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }
}

/// Options of a watch call.
public struct WatchOptions: Sendable, Equatable {
    /// Events after this version; nil or "0" means: start with ADDED events for what exists.
    public var resourceVersion: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    public var allowBookmarks: Bool
    /// The server ends the stream after this many seconds.
    public var timeoutSeconds: Int?

    public init(
        resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        allowBookmarks: Bool = false, timeoutSeconds: Int? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.allowBookmarks = allowBookmarks
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Options of create, update and patch calls.
public struct WriteOptions: Sendable, Equatable {
    /// Who writes: recorded in `metadata.managedFields`.
    public var fieldManager: String?
    /// Server-side apply only: take ownership of conflicting fields.
    public var force: Bool
    public var dryRun: Bool
    /// What the server does with fields the schema does not declare (nil: its default).
    public var fieldValidation: FieldValidation?

    public init(fieldManager: String? = nil, force: Bool = false, dryRun: Bool = false, fieldValidation: FieldValidation? = nil) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
    }
}

/// The `fieldValidation` query parameter of writes: kubectl sends `Strict`, so that a
/// typo in a manifest fails instead of being dropped without a word.
public enum FieldValidation: String, Sendable, Equatable, CaseIterable {
    case ignore = "Ignore"
    case warn = "Warn"
    case strict = "Strict"
}

public enum PropagationPolicy: String, Sendable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

/// Options of a delete call (the `DeleteOptions` body).
public struct DeleteOptions: Sendable, Equatable {
    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(
        propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil,
        preconditionUID: String? = nil, preconditionResourceVersion: String? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// The patch formats of the Kubernetes API, by their content type.
public enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    /// Server-side apply. The body is the applied configuration (YAML or JSON; sent as JSON here).
    case apply = "application/apply-patch+yaml"
}

/// One event of a watch stream.
public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    public var type: EventType
    /// The object, or for `.error` a `Status`.
    public var object: JSON

    public init(type: EventType, object: JSON) {
        self.type = type
        self.object = object
    }

    /// The wire form: `{"type": "...", "object": {...}}`.
    public var json: JSON { ["type": .string(type.rawValue), "object": object] }
}
