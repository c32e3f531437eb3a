import Kube

/// The opaque `continue` token of paged lists: the resourceVersion of the first page and
/// the last key returned, hex-encoded so that clients do not read meaning into it.
struct ContinueToken: Equatable {
    var resourceVersion: Int
    var after: StoreKey

    var encoded: String {
        let text = "\(resourceVersion)\u{1}\(after.namespace)\u{1}\(after.name)"
        let hex = Array("0123456789abcdef")
        return String(text.utf8.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }

    init(resourceVersion: Int, after: StoreKey) {
        self.resourceVersion = resourceVersion
        self.after = after
    }

    init(decoding token: String) throws {
        var bytes: [UInt8] = []
        let digits = Array(token.utf8)
        guard digits.count % 2 == 0 else { throw ContinueToken.invalid }
        var i = 0
        while i < digits.count {
            guard let hi = ContinueToken.nibble(digits[i]), let lo = ContinueToken.nibble(digits[i + 1]) else { throw ContinueToken.invalid }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "\u{1}", omittingEmptySubsequences: false)
        guard parts.count == 3, let rv = Int(parts[0]) else { throw ContinueToken.invalid }
        resourceVersion = rv
        after = StoreKey(namespace: String(parts[1]), name: String(parts[2]))
    }

    static let invalid = KubeError.badRequest("continue key is not valid: the token is malformed; start the list again without it")

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
