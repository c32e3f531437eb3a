import COpenSSL

/// The certificate and key the dev-cluster serves https with: a self-signed P-256
/// certificate, made at start, that is also the CA the kubeconfig trusts.
///
/// Why https at all on loopback: kubectl (client-go's clientcmd) drops a kubeconfig's
/// credentials when the server is plain http, so with RBAC on it could only ever be
/// `system:anonymous`. Over https it sends the token like against a real cluster.
public struct TLSIdentity: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// A new key and a certificate valid for a year for `localhost`, 127.0.0.1, ::1 and
    /// `hosts` (names or IP addresses, e.g. the host the server listens on).
    public static func selfSigned(hosts: [String] = []) throws(DevClusterError) -> TLSIdentity {
        guard let key = yopf_tls_new_p256_key() else { throw .tls("cannot make a P-256 key: \(Self.lastError())") }
        defer { EVP_PKEY_free(key) }
        guard let cert = X509_new() else { throw .tls("cannot allocate a certificate") }
        defer { X509_free(cert) }

        X509_set_version(cert, 2)  // v3, for the extensions
        var serial = [UInt8](repeating: 0, count: 8)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw .tls("no random bytes for the serial: \(Self.lastError())") }
        ASN1_INTEGER_set(X509_get_serialNumber(cert), Int(serial.reduce(0) { $0 << 8 | Int($1) } & 0x3fff_ffff_ffff_ffff))
        // An hour back for clocks that differ a little.
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600)
        X509_gmtime_adj(X509_getm_notAfter(cert), 365 * 24 * 3600)
        X509_set_pubkey(cert, key)
        let name = X509_get_subject_name(cert)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "yopf", -1, -1, 0)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, "yopf dev-cluster", -1, -1, 0)
        X509_set_issuer_name(cert, name)

        var names = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]
        for host in hosts where !host.isEmpty && host != "0.0.0.0" && host != "::" {
            let entry = (Self.isIPAddress(host) ? "IP:" : "DNS:") + host
            if !names.contains(entry) { names.append(entry) }
        }
        // Self-signed and its own CA: Go and OpenSSL clients accept a trusted root as the leaf.
        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:TRUE"),
            (NID_key_usage, "critical,digitalSignature,keyCertSign"),
            (NID_ext_key_usage, "serverAuth"),
            (NID_subject_key_identifier, "hash"),
            (NID_subject_alt_name, names.joined(separator: ",")),
        ]
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, cert, cert, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw .tls("cannot make the certificate extension \(value): \(Self.lastError())")
            }
            X509_add_ext(cert, ext, -1)
            X509_EXTENSION_free(ext)
        }
        guard X509_sign(cert, key, EVP_sha256()) > 0 else { throw .tls("cannot sign the certificate: \(Self.lastError())") }

        let certificate = try Self.pem { PEM_write_bio_X509($0, cert) }
        let privateKey = try Self.pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        return TLSIdentity(certificatePEM: certificate, privateKeyPEM: privateKey)
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0 == "." || $0.isNumber })
    }

    /// What `write` puts into a memory BIO, as text.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws(DevClusterError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw .tls("cannot allocate a memory BIO") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw .tls("cannot write PEM: \(Self.lastError())") }
        let count = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: count)
        let read = BIO_read(bio, &bytes, Int32(count))
        return String(decoding: bytes.prefix(Int(max(read, 0))), as: UTF8.self)
    }

    /// OpenSSL's error queue, oldest first, emptied.
    static func lastError() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}
