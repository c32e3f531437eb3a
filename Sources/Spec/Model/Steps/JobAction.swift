/// `job`: create a Job from a template, optionally wait for it to finish.
public struct JobAction: Sendable {
    public var source: ManifestSource
    /// The Job manifest (`batch/v1`, `kind: Job`).
    public var manifest: TemplateValue
    /// Wait until the Job is Complete (success) or Failed (step failure). Default true.
    public var wait: Bool
    /// Delete the Job (and its pods) once it has succeeded.
    public var cleanup: Bool
    public var namespace: TemplateValue?

    public init(source: ManifestSource, manifest: TemplateValue, wait: Bool = true, cleanup: Bool = false, namespace: TemplateValue? = nil) {
        self.source = source
        self.manifest = manifest
        self.wait = wait
        self.cleanup = cleanup
        self.namespace = namespace
    }
}
