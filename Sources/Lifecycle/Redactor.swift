import JSONValue
import Platform

/// Keeps secrets out of logs, Events, status messages and the step outputs kept in
/// status: every value found in the resource (its current and previous spec) under a
/// key that names a secret is replaced by `***` wherever it appears — as written, and in
/// the forms it takes when it travels inside other text (JSON-escaped, percent-encoded,
/// base64).
///
/// Keys are compared lower-cased without `-`, `_` and `.`; a key names a secret when it
/// contains one of `secretWords`, ends with one of `secretSuffixes`, or is one of
/// `secretNames`; every value below such a key is secret. Values of one or two
/// characters are replaced only where they stand alone (not inside a longer word, or
/// right after a `-p` flag as in `mysql -pab`), so that a short password cannot turn
/// every message into asterisks; longer ones wherever they appear.
///
/// Made per handler run by the lifecycle; steps get `redact` through their environment.
/// `yopf plan --redact` masks its output with the same rules.
public struct Redactor: Sendable {
    /// The texts to replace, longest first (so a secret containing another goes whole).
    let long: [String]
    let short: [String]

    static let secretWords = [
        "password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "accesskey", "privatekey",
        "secretkey", "clientsecret", "bearer", "cookie", "sessionkey", "signingkey", "encryptionkey", "masterkey",
        "connectionstring", "authorization", "authkey", "authtoken",
    ]
    static let secretSuffixes = ["pwd", "pass", "key", "psk"]
    static let secretNames: Set<String> = ["auth", "pin", "dsn", "salt", "otp"]

    public init(object: JSON, old: JSON?) {
        var found: Set<String> = []
        Self.collect(object["spec"], into: &found, inSecret: false)
        Self.collect(old?["spec"], into: &found, inSecret: false)
        var forms: Set<String> = []
        for s in found where !s.isEmpty {
            forms.insert(s)
            // Inside JSON text (error bodies, serialized values): `Quo\"te` for `Quo"te`,
            // and inside JSON text quoted in JSON text again (a message in a Status body).
            let escaped = String(JSON.string(s).serialized().dropFirst().dropLast())
            forms.insert(escaped)
            forms.insert(String(JSON.string(escaped).serialized().dropFirst().dropLast()))
            // Inside URLs (exec commands in request lines) and in Secret data.
            forms.insert(Self.percentEncoded(s))
            if s.utf8.count >= 3 { forms.insert(Base64.encode(Array(s.utf8))) }
        }
        let sorted = forms.sorted { $0.utf8.count > $1.utf8.count }
        long = sorted.filter { $0.utf8.count >= 3 }
        short = sorted.filter { $0.utf8.count < 3 }
    }

    public static func isSecretKey(_ key: String) -> Bool {
        let k = String(key.lowercased().filter { $0 != "-" && $0 != "_" && $0 != "." })
        if secretNames.contains(k) { return true }
        if secretWords.contains(where: { k.includes($0) }) { return true }
        return secretSuffixes.contains { k.hasSuffix($0) }
    }

    static func collect(_ value: JSON?, into found: inout Set<String>, inSecret: Bool) {
        guard let value else { return }
        switch value {
        case .string(let s): if inSecret { found.insert(s) }
        case .int, .double: if inSecret { found.insert(value.serialized()) }
        case .array(let a): for v in a { collect(v, into: &found, inSecret: inSecret) }
        case .object(let o):
            for (k, v) in o { collect(v, into: &found, inSecret: inSecret || isSecretKey(k)) }
        default: break
        }
    }

    /// True when the resource holds no secret values.
    public var isEmpty: Bool { long.isEmpty && short.isEmpty }

    public func redact(_ text: String) -> String {
        if isEmpty { return text }
        var out = text
        for s in long where out.includes(s) { out = out.replacingAll(s, with: "***") }
        for s in short where out.includes(s) { out = out.replacingStandalone(s, with: "***") }
        return out
    }

    /// Every string inside a JSON value (keys stay).
    public func redact(_ value: JSON) -> JSON {
        if isEmpty { return value }
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let a): return .array(a.map { redact($0) })
        case .object(var o):
            for (k, v) in o { o[k] = redact(v) }
            return .object(o)
        default: return value
        }
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        replacing(target, with: replacement) { _, _ in true }
    }

    /// Occurrences not inside a longer run of letters and digits (and after `-p`).
    func replacingStandalone(_ target: String, with replacement: String) -> String {
        func isWord(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b >= 0x80
        }
        return replacing(target, with: replacement) { bytes, range in
            let before = range.lowerBound > 0 ? bytes[range.lowerBound - 1] : nil
            let after = range.upperBound < bytes.count ? bytes[range.upperBound] : nil
            let flag = range.lowerBound >= 2 && bytes[range.lowerBound - 2] == UInt8(ascii: "-") && before == UInt8(ascii: "p")
            return (flag || before.map { !isWord($0) } ?? true) && (after.map { !isWord($0) } ?? true)
        }
    }

    private func replacing(_ target: String, with replacement: String, when accept: ([UInt8], Range<Int>) -> Bool) -> String {
        let t = Array(target.utf8)
        guard !t.isEmpty else { return self }
        let b = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == t[0], i + t.count <= b.count, b[i..<(i + t.count)].elementsEqual(t), accept(b, i..<(i + t.count)) {
                out.append(contentsOf: replacement.utf8)
                i += t.count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
