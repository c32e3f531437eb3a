/// What an expression reads, found by scanning its jq text without evaluating it: the
/// step outputs (`$steps.NAME`) — the scan the loader uses to check `$steps` references
/// and to keep what a resume needs — and whether a variable such as `$item` appears.
///
/// `yopf plan` calls this to tell the expressions it can evaluate from those that read
/// what only a run would know. Both answers err on the side of "reads it".
public enum ExpressionReads {
    /// The step outputs the expression reads; nil when it may read any of them (`$steps`
    /// used whole, or a name the scan cannot resolve).
    public static func stepOutputs(in source: String) -> Set<String>? {
        SpecReader.stepOutputsRead(in: source)
    }

    /// Whether `$name` appears in the text (also inside string literals, which only makes
    /// the answer more careful).
    public static func variable(_ name: String, in source: String) -> Bool {
        let bytes = Array(source.utf8)
        let marker = Array("$\(name)".utf8)
        var i = 0
        while i + marker.count <= bytes.count {
            if bytes[i] == marker[0], bytes[i..<(i + marker.count)].elementsEqual(marker) {
                let next = i + marker.count
                if next >= bytes.count || !isIdentifierByte(bytes[next]) { return true }
                i = next
            } else {
                i += 1
            }
        }
        return false
    }

    private static func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }
}
