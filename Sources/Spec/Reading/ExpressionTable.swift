import YAMLLoader

/// Every jq expression of one operator in the order met, with where it was written: the
/// order gives the `ExpressionID`s, the places turn a compile error's byte offset into a
/// `file:line:col` inside the expression.
final class ExpressionTable {
    struct Entry {
        var source: String
        var role: String
        /// The document and node holding the expression.
        var reader: SpecReader
        var path: [PathComponent]
        /// True when the expression is in a mapping key rather than a value.
        var inKey: Bool
        /// The whole scalar the expression is in, and where in it (Unicode scalars) the
        /// expression starts: 0 for a jq field, after `${{` for a template.
        var scalar: String
        var offset: Int
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }

    /// Entries hold their readers, which hold the load context, which holds this table:
    /// the loader calls this when a load is over so that the cycle is freed.
    func removeAll() { entries.removeAll() }

    func add(_ entry: Entry) -> ExpressionID {
        entries.append(entry)
        return ExpressionID(entries.count - 1)
    }

    /// Where the `utf8Offset`-th byte of expression `index` was written (its start when nil).
    func position(of index: Int, utf8Offset: Int?) -> (file: String, position: SourcePosition) {
        let entry = entries[index]
        let scalars = SpecReader.scalarCount(of: entry.source, utf8Offset: utf8Offset ?? 0)
        let position = entry.reader.position(
            inScalarAt: entry.path, scalar: entry.scalar, offset: entry.offset + scalars, inKey: entry.inKey)
        return (entry.reader.file, position)
    }

    /// The public description of every expression.
    var sites: [ExpressionSite] {
        entries.indices.map { index in
            let (file, position) = self.position(of: index, utf8Offset: nil)
            let entry = entries[index]
            return ExpressionSite(
                id: ExpressionID(index), source: entry.source, file: file, line: position.line,
                column: position.column, role: entry.role)
        }
    }
}
