import JSONValue
import Kube

/// What the HTTP front needs from the store behind it: the Kubernetes API plus the
/// schemas of custom resources, for the OpenAPI documents kubectl validates against.
///
/// `MemoryCluster` is the real one; tests may serve a small fake.
public protocol DevClusterBackend: KubeAPI {
    /// The `openAPIV3Schema` a CRD declares for this kind and version; nil for built-in
    /// kinds and kinds without a schema.
    func openAPISchema(for gvk: GroupVersionKind) async throws -> JSON?
}
