/// Strings made into valid RFC 1123 DNS names, for the names of objects an operator creates.
enum DNSName {
    /// Characters of the hash suffix added when a name must be cut (32 bits of SHA-256).
    private static let hashLength = 8

    /// `[a-z0-9-]`, 1–63 characters, starting and ending alphanumeric. A valid label comes
    /// back unchanged. Upper case is lowered, every other character becomes `-` and runs of
    /// `-` collapse; a result that is too long or empty is cut and gets `-` plus 8 hex
    /// digits of the input's SHA-256, so that different long inputs stay distinct.
    static func label(_ input: String) -> String {
        fit(sanitize(input), maximum: 63, original: input)
    }

    /// `[a-z0-9.-]`, 1–253 characters, every dot-separated label starting and ending
    /// alphanumeric (empty labels are dropped). Otherwise as `label`.
    static func subdomain(_ input: String) -> String {
        let labels = input.split(separator: ".", omittingEmptySubsequences: true)
            .map { sanitize(String($0)) }
            .filter { !$0.isEmpty }
        return fit(labels.joined(separator: "."), maximum: 253, original: input)
    }

    private static func sanitize(_ input: String) -> String {
        var out: [UInt8] = []
        for scalar in input.lowercased().unicodeScalars {
            let c = scalar.value
            let isAlphanumeric = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
            if isAlphanumeric {
                out.append(UInt8(c))
            } else if out.last != UInt8(ascii: "-") {
                out.append(UInt8(ascii: "-"))
            }
        }
        return String(decoding: trimDashes(out[...]), as: UTF8.self)
    }

    private static func fit(_ name: String, maximum: Int, original: String) -> String {
        if !name.isEmpty && name.utf8.count <= maximum { return name }
        let hash = String(SHA256.hexDigest(Array(original.utf8)).prefix(hashLength))
        let kept = trimDashes(Array(name.utf8).prefix(maximum - hashLength - 1))
        if kept.isEmpty { return hash }
        return String(decoding: kept, as: UTF8.self) + "-" + hash
    }

    /// Drops `-` and `.` from both ends (a label must start and end alphanumeric).
    private static func trimDashes(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: "-") || first == UInt8(ascii: ".") { slice.removeFirst() }
        while let last = slice.last, last == UInt8(ascii: "-") || last == UInt8(ascii: ".") { slice.removeLast() }
        return slice
    }
}
