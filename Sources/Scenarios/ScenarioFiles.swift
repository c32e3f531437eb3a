import Platform
import Spec

/// Which scenario files `yopf test` and `yopf check` read for the paths they are given:
/// a file as it is; for an operator folder, the `*.yaml`/`*.yml` files of its `tests/`
/// folder; a `tests/` folder itself; for a folder of operators (`handlers/`), each
/// operator folder's `tests/`. Finds files only; reads none.
public enum ScenarioFiles {
    public static func find(_ paths: [String]) -> (files: [String], problems: [SpecDiagnostic]) {
        var files: [String] = []
        var problems: [SpecDiagnostic] = []
        for path in paths {
            guard Files.exists(path) else {
                problems.append(SpecDiagnostic(file: path, line: 0, column: 0, message: "no such file or folder"))
                continue
            }
            guard Files.isDirectory(path) else {
                files.append(path)
                continue
            }
            let base = path.split(separator: "/").last.map(String.init) ?? path
            if base == "tests" {
                files += yamlFiles(in: path)
                continue
            }
            let tests = Files.join(path, "tests")
            if Files.isDirectory(tests) {
                let found = yamlFiles(in: tests)
                if found.isEmpty { problems.append(SpecDiagnostic(file: tests, line: 0, column: 0, message: "no scenario files (*.yaml) in this folder")) }
                files += found
                continue
            }
            let nested = ((try? Files.list(path)) ?? []).map { Files.join(path, $0) }
                .filter { Files.isDirectory(Files.join($0, "tests")) }
                .flatMap { yamlFiles(in: Files.join($0, "tests")) }
            if nested.isEmpty {
                problems.append(SpecDiagnostic(file: path, line: 0, column: 0, message: "no tests/ folder with scenario files here or in its subfolders"))
            }
            files += nested
        }
        return (files, problems)
    }

    /// The scenario files beside an operator file (its folder's `tests/`), for `yopf check`.
    public static func beside(operatorFile: String) -> [String] {
        let tests = Files.join(Files.directory(of: operatorFile), "tests")
        return Files.isDirectory(tests) ? yamlFiles(in: tests) : []
    }

    static func yamlFiles(in folder: String) -> [String] {
        ((try? Files.list(folder)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { Files.join(folder, $0) }
    }
}
