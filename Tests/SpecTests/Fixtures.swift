import Spec

/// Paths of the fixture folders next to this file, and inline operators for rule tests.
enum Fixtures {
    static let folder: String = {
        let file = #filePath
        guard let slash = file.lastIndex(of: "/") else { return "Fixtures" }
        return String(file[..<slash]) + "/Fixtures"
    }()

    static func path(_ name: String) -> String { folder + "/" + name }

    /// Loads an operator written inline as `op.yaml`; templates are looked up under
    /// `Fixtures/inline`.
    static func load(_ yaml: String) -> OperatorLoadResult {
        OperatorLoader.load(yaml: yaml, file: "op.yaml", folder: path("inline"))
    }

    /// The problems of an inline operator, as printed.
    static func problems(_ yaml: String) -> [String] {
        load(yaml).diagnostics.map(\.description)
    }

    /// An operator whose handlers are `handlers`, written from line 8 on, indented by 4.
    static func operatorWith(handlers: String) -> String {
        """
        apiVersion: yopf.dev/v1alpha1
        kind: Operator
        metadata:
          name: demo
        spec:
          watch: {group: example.com, version: v1, plural: demos}
          handlers:

        """ + handlers
    }

    /// The problems of an operator with these handlers (starting on line 8).
    static func problems(handlers: String) -> [String] {
        problems(operatorWith(handlers: handlers))
    }
}
