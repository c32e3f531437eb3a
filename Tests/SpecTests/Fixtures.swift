import Spec

/// Paths of the fixture folders next to this file.
enum Fixtures {
    static let folder: String = {
        let file = #filePath
        guard let slash = file.lastIndex(of: "/") else { return "Fixtures" }
        return String(file[..<slash]) + "/Fixtures"
    }()

    static func path(_ name: String) -> String { folder + "/" + name }

    /// Loads an operator written inline; templates are looked up under `Fixtures/<folder>`.
    static func load(_ yaml: String, folder: String = "inline") -> OperatorLoadResult {
        OperatorLoader.load(yaml: yaml, file: "op.yaml", folder: path(folder))
    }

    /// The diagnostics of an inline operator, as printed.
    static func problems(_ yaml: String, folder: String = "inline") -> [String] {
        load(yaml, folder: folder).diagnostics.map(\.description)
    }
}
