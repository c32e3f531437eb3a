import JSONValue

/// The text of a ServiceAccount token: a JWT with the claims kube-apiserver puts in bound
/// tokens (aud, exp, iat, nbf, iss, sub, jti, kubernetes.io), so that clients that read a
/// token's expiry or subject from it find them where they are in a real cluster.
///
/// The signature part is random: nothing verifies it. This server recognises its tokens by
/// looking them up among those it issued (`IssuedToken`), never by checking a signature.
enum ServiceAccountToken {
    static let issuer = "https://kubernetes.default.svc.cluster.local"

    static func make(_ t: IssuedToken, issuedAt: Int, id: String) -> String {
        let header: JSON = ["alg": "RS256", "kid": "yopf-dev-cluster"]
        let claims: JSON = [
            "aud": .array(t.audiences.map { .string($0) }),
            "exp": .int(t.expires), "iat": .int(issuedAt), "nbf": .int(issuedAt),
            "iss": .string(issuer), "jti": .string(id),
            "kubernetes.io": [
                "namespace": .string(t.namespace),
                "serviceaccount": ["name": .string(t.serviceAccount), "uid": .string(t.serviceAccountUID)],
            ],
            "sub": .string("system:serviceaccount:\(t.namespace):\(t.serviceAccount)"),
        ]
        var rng = SystemRandomNumberGenerator()
        let signature = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return [header.serializedBytes(), claims.serializedBytes(), signature].map(base64URL).joined(separator: ".")
    }

    /// RFC 4648 §5 base64url without padding, as JWTs carry their parts.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if i + 1 < bytes.count { out.append(table[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
            if i + 2 < bytes.count { out.append(table[Int(b2 & 0x3F)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
