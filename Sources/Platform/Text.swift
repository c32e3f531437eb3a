extension StringProtocol {
    /// The text without leading and trailing blanks (space, tab, CR, LF): header values,
    /// selector terms, files holding one value.
    public func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        var s = Substring(self)
        while let f = s.first, blank(f) { s = s.dropFirst() }
        while let l = s.last, blank(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Substring search without _StringProcessing. Swift's own `contains(_:)` and
/// `firstRange(of:)` for strings live in that module, and one call to either links all of
/// it, Swift's Regex engine included (about 1 MB), into the static binary; the shipped
/// modules use these instead (scripts/build-static warns when the module is linked).
/// They compare UTF-8 bytes: a combining mark after a match does not hide it, as it
/// would for Character comparison.
extension StringProtocol {
    /// Whether `other` occurs in the text (the empty string occurs in every text).
    public func includes(_ other: some StringProtocol) -> Bool {
        firstRange(ofText: other) != nil
    }

    /// Where `other` first occurs in the text.
    public func firstRange(ofText other: some StringProtocol) -> Range<Index>? {
        let needle = Array(other.utf8)
        let hay = utf8
        guard let first = needle.first else { return startIndex..<startIndex }
        var i = hay.startIndex
        while i != hay.endIndex {
            if hay[i] == first {
                var h = hay.index(after: i)
                var n = 1
                while n < needle.count, h != hay.endIndex, hay[h] == needle[n] {
                    h = hay.index(after: h)
                    n += 1
                }
                if n == needle.count { return i..<h }
            }
            i = hay.index(after: i)
        }
        return nil
    }
}
