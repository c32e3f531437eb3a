import JSONValue

/// The helpers every yopf expression can use, on top of jq 1.6's builtins:
///
/// - `registered_domain`: a DNS name → its registrable domain per the Public Suffix List
///   (libpsl), e.g. `"a.b.example.co.uk"` → `"example.co.uk"`; null for a public suffix
///   itself (`"github.io"`, `"co.uk"`), a single label (`"localhost"`), an IP address, or
///   null input. Case, a trailing dot and a leading `*.` label are ignored; Unicode and
///   punycode names both work (the answer keeps the input's form).
/// - `dns_label`: any string → a valid RFC 1123 label (`[a-z0-9-]`, 1–63 characters, no
///   leading or trailing `-`). Letters are lower-cased, other characters become `-`, runs of
///   `-` collapse. A result that would be longer than 63 (or empty) is cut and ends in `-`
///   and 8 hex digits of the input's SHA-256, so long inputs stay distinct.
/// - `dns_subdomain`: the same for an RFC 1123 subdomain (dots allowed, at most 253).
/// - `sha256`: a string → the hex SHA-256 of its UTF-8 bytes.
/// - `b64enc`, `b64dec`: aliases of `@base64` and `@base64d`.
///
/// jq 1.6 has no public API for native functions. The native helpers reach Swift through
/// `debug` and `input`: `debug` hands the worker's debug callback a marked request, which
/// the callback answers at once; `input` then asks the worker's input callback for that
/// answer. Nothing else can run between the two, so it works inside `map`, `group_by` etc.
enum Prelude {
    /// The marker of a native call request (`[marker, name, input]`).
    static let callMarker = "__yopf_native_call__"

    /// Native helpers by name: input → output, or an error message for jq.
    static let natives: [String: @Sendable (JSON) -> Result<JSON, JQEvaluationError>] = [
        "registered_domain": { input in
            switch input {
            case .null: return .success(.null)
            case .string(let name): return .success(JQ.registeredDomain(name).map(JSON.string) ?? .null)
            default: return .failure(typeError("registered_domain", input))
            }
        },
        "dns_label": { input in
            guard case .string(let s) = input else { return .failure(typeError("dns_label", input)) }
            return .success(.string(DNSName.label(s)))
        },
        "dns_subdomain": { input in
            guard case .string(let s) = input else { return .failure(typeError("dns_subdomain", input)) }
            return .success(.string(DNSName.subdomain(s)))
        },
        "sha256": { input in
            guard case .string(let s) = input else { return .failure(typeError("sha256", input)) }
            return .success(.string(SHA256.hexDigest(Array(s.utf8))))
        },
    ]

    private static func typeError(_ name: String, _ input: JSON) -> JQEvaluationError {
        JQEvaluationError(message: "\(name) needs a string as input, not \(input.typeName) (\(input.serialized().prefix(40)))")
    }

    /// The jq definitions put in front of every program, one per line.
    static let definitions: [String] = {
        var lines = natives.keys.sorted().map { name in
            "def \(name): [\"\(callMarker)\", \"\(name)\", .] | debug | input;"
        }
        lines.append("def b64enc: @base64;")
        lines.append("def b64dec: @base64d;")
        return lines
    }()
}
