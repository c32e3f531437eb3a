import JSONValue
import Kube
import Platform

/// Tokens of tenant ServiceAccounts from the TokenRequest API: bound to the `yopf`
/// audience, valid ten minutes at most, and reused until most of their life is spent.
final class ServiceAccountTokens: Sendable {
    static let lifetimeSeconds = 600
    private let cache = Locked<[String: (token: String, expires: Int)]>([:])

    func token(for client: KubeClient, name: String, namespace: String) async throws -> String {
        let key = namespace + "/" + name
        let now = Timestamp.nowSeconds()
        // Renew when less than a third of the life is left.
        if let cached = cache.value[key], cached.expires - now > Self.lifetimeSeconds / 3 { return cached.token }
        let ref = ObjectRef(GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts"), namespace: namespace, name: name)
        let request: JSON = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": ["audiences": [], "expirationSeconds": .int(Self.lifetimeSeconds)],
        ]
        let answer = try await client.call("POST", KubeClient.objectPath(ref, subresource: "token"), body: request)
        guard let token = answer["status"]?["token"]?.string, !token.isEmpty else {
            throw KubeError.internalError("the TokenRequest for serviceaccount \(key) returned no token")
        }
        let expires = answer["status"]?["expirationTimestamp"]?.string.flatMap(Timestamp.parseSeconds) ?? now + Self.lifetimeSeconds
        cache.update { $0[key] = (token, expires) }
        return token
    }
}

extension KubeClient: ServiceAccountScoping {
    public func asServiceAccount(_ name: String, namespace: String) async throws -> any KubeAPI {
        let token = try await serviceAccountTokens.token(for: self, name: name, namespace: namespace)
        return with(credentials: BearerToken(token))
    }
}
