import CPSL
import Glibc
import Platform

/// Entry points of the JQ module that need no compiled program.
///
/// How yopf runs jq (libjq 1.6), for expression authors:
/// - `.` is the input the runtime passes; the variables are `standardVariables` (or the
///   program's own list); the prelude's helpers are listed on `Prelude`.
/// - `input`/`inputs`: there are no further inputs (`input` fails, `[inputs]` is `[]`).
/// - `debug` writes `["DEBUG:", value]` to stderr, like the jq command line.
/// - `$ENV` and `env` are the operator process's environment (as in jq).
/// - `$__loc__` gives the line in yopf's generated program, not in the expression.
/// - `halt` ends the outputs; `halt_error` is an evaluation error with its message.
/// - More than 10,000 outputs is an error (`repeat`, `range(1e9)`); a loop that never
///   outputs (`until(false; .)`) cannot be interrupted: libjq 1.6 has no way to stop it.
/// - Results nested deeper than `JSON.maximumDepth` (10,100) levels are an error.
/// - `import`/`include` are not available (an expression is not a whole program).
public enum JQ {
    /// The variables every yopf expression may use (a missing value is null):
    ///
    /// - `$old`, `$new`: the object before and after an update (`.` is the object).
    /// - `$diff`: what changed in an update.
    /// - `$steps`: outputs of earlier steps, by step name.
    /// - `$item`, `$index`: the element and its position inside `forEach`.
    /// - `$reason`: why the handlers run: `create`, `update`, `delete`, `resume`, `timer`,
    ///   `schedule`, and for `on: reconcile` also `child-changed`, `resync`, `retry`.
    /// - `$event`: the watch event / cause being handled.
    /// - `$handler`: the handler being run (its id and settings).
    /// - `$operator`: the operator (its name, namespace, settings).
    /// - `$env`: values the runtime chooses to expose (not the process environment; jq's own
    ///   `$ENV` and `env` still give that).
    public static let standardVariables: [String] = [
        "old", "new", "diff", "steps", "item", "index", "reason", "event", "handler", "operator", "env",
    ]

    /// Compiles one expression (with the prelude and the named variables bound) and
    /// reports its syntax error, if any. Costs one libjq compile (≈ 14 ms).
    public static func check(_ expression: String, variables: [String] = JQ.standardVariables) -> JQSyntaxError? {
        do {
            _ = try JQProgram(expressions: [expression], variables: variables)
            return nil
        } catch let error as JQProgramError {
            return error.errors.first?.error ?? JQSyntaxError(message: "the expression does not compile", offset: nil)
        } catch {
            return JQSyntaxError(message: "the expression does not compile", offset: nil)
        }
    }

    /// The registrable domain of a DNS name per the Public Suffix List (libpsl's built-in
    /// list): `a.b.example.co.uk` → `example.co.uk`. Nil for a public suffix itself
    /// (`github.io`, `co.uk`), a single label (`localhost`), an IP address or an empty or
    /// malformed name. Case, a trailing dot and a leading `*.` label are ignored; Unicode
    /// and punycode names both work, and the answer keeps the input's form.
    public static func registeredDomain(_ name: String) -> String? {
        var host = name.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host.hasPrefix("*.") { host.removeFirst(2) }
        guard !host.isEmpty, !host.hasPrefix("."), !host.includes(".."),
              !host.unicodeScalars.contains(where: { $0 == ":" || $0 == "/" || $0 == " " || $0 == "@" || $0.value < 0x20 }),
              !isIPv4(host), !(host.split(separator: ".").last?.allSatisfy(\.isASCIIDigit) ?? true),
              let psl = psl_builtin()
        else { return nil }
        // libpsl answers with a pointer into the string it was given: copy it while it lives.
        return host.withCString { domain in
            psl_registrable_domain(psl, domain).map { String(cString: $0) }
        }
    }

    /// `dns_label` of the prelude: any string as a valid RFC 1123 label (see `Prelude`).
    public static func dnsLabel(_ name: String) -> String { DNSName.label(name) }

    /// `dns_subdomain` of the prelude: any string as a valid RFC 1123 subdomain.
    public static func dnsSubdomain(_ name: String) -> String { DNSName.subdomain(name) }

    /// `sha256` of the prelude: the hex SHA-256 of a string's UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String { SHA256.hexDigest(Array(text.utf8)) }

    private static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
