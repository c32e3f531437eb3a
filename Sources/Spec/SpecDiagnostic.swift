/// One problem found in an operator file or one of its template files.
///
/// Printed the way compilers print errors, `file:line:col: message`, so that editors and
/// CI logs can jump to the spot. A problem with a file's content always has a place (an
/// empty file's is 1:1); only a problem with a path as a whole (no such file, it cannot be
/// read, a folder holds no operator file) has line 0 and prints as `path: message`.
public struct SpecDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (relative paths stay relative).
    public var file: String
    /// 1-based; 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based; 0 when the problem concerns the whole file.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if line <= 0 { return "\(file): \(message)" }
        return "\(file):\(line):\(column): \(message)"
    }
}

extension SpecDiagnostic: Comparable {
    /// Orders by file, then position, so that a file's problems read top to bottom.
    public static func < (lhs: SpecDiagnostic, rhs: SpecDiagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        if lhs.column != rhs.column { return lhs.column < rhs.column }
        return lhs.message < rhs.message
    }
}
