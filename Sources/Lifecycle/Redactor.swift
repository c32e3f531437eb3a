import JSONValue

/// Keeps secrets out of logs, Events and progress messages: every string found in the
/// resource under a key that names a secret (`password`, `token`, `secret`, `key`,
/// `credentials`) — in its current and its previous state — is replaced by `***`
/// wherever it appears in a message.
struct Redactor: Sendable {
    let secrets: [String]

    static let secretWords = ["password", "passwd", "token", "secret", "credential", "apikey", "privatekey"]

    init(object: JSON, old: JSON?) {
        var found: Set<String> = []
        Self.collect(object["spec"], into: &found, inSecret: false)
        Self.collect(old?["spec"], into: &found, inSecret: false)
        // Longest first, so that a secret containing another is replaced whole.
        secrets = found.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
    }

    static func collect(_ value: JSON?, into found: inout Set<String>, inSecret: Bool) {
        guard let value else { return }
        switch value {
        case .string(let s): if inSecret { found.insert(s) }
        case .int, .double: if inSecret { found.insert(value.serialized()) }
        case .array(let a): for v in a { collect(v, into: &found, inSecret: inSecret) }
        case .object(let o):
            for (k, v) in o {
                let lower = k.lowercased().replacingDashes()
                collect(v, into: &found, inSecret: inSecret || secretWords.contains { lower.contains($0) })
            }
        default: break
        }
    }

    func redact(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingAll(s, with: "***") }
        return out
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(filter { $0 != "-" && $0 != "_" }) }

    func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8)
        guard !t.isEmpty else { return self }
        let b = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == t[0], i + t.count <= b.count, Array(b[i..<(i + t.count)]) == t {
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
