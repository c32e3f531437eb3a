import JQ
import JSONValue
import KubeMemory
import Platform
import Spec
import YAMLLoader

/// Reads scenario files (YAML, one scenario per document) into `Scenario`s, and says
/// what is wrong with one as `file:line:col: message` (`SpecDiagnostic`, as `yopf
/// check` prints operator files' problems): unknown keys (with "did you mean"), missing
/// ones, values of the wrong type, jq that does not compile, objects without a kind or a
/// name, more than one action in a step. `validate(_:against:)` adds what needs the
/// operator (handler and step names). Called by `yopf test` and `yopf check`; runs
/// nothing.
public enum ScenarioParser {
    /// The virtual clock's start when a scenario gives no `start:` (a Monday, midnight UTC).
    public static let defaultStart = "2026-01-05T00:00:00Z"

    static let topKeys = ["name", "description", "operator", "start", "namespace", "objects", "answers", "steps"]
    static let actionKeys = ["create", "update", "patch", "delete", "advance", "completeJob", "failJob", "answer", "failCalls",
                             "kill", "start", "restart"]
    static let expectationKeys = ["object", "ran", "notRan", "event", "noEvent", "commands", "writes"]

    /// Every scenario of the file, or the problems that keep it from running.
    public static func parse(file: String) -> (scenarios: [Scenario], diagnostics: [SpecDiagnostic]) {
        let text: String
        do {
            text = try Files.readText(file)
        } catch {
            return ([], [SpecDiagnostic(file: file, line: 0, column: 0, message: "cannot read the scenario file: \(error.reason)")])
        }
        return parse(text: text, file: file)
    }

    public static func parse(text: String, file: String) -> (scenarios: [Scenario], diagnostics: [SpecDiagnostic]) {
        let documents: [YAMLDocument]
        do {
            documents = try YAML.load(text, file: file)
        } catch let e as YAMLError {
            return ([], [SpecDiagnostic(file: file, line: e.position.line, column: e.position.column, message: e.message)])
        } catch {
            return ([], [SpecDiagnostic(file: file, line: 1, column: 1, message: "\(error)")])
        }
        let reader = FileReader(file: file)
        var scenarios: [Scenario] = []
        for document in documents where !document.value.isNull {
            reader.document = document
            if let scenario = reader.scenario() { scenarios.append(scenario) }
        }
        if scenarios.isEmpty && reader.diagnostics.isEmpty {
            reader.diagnostics.append(SpecDiagnostic(file: file, line: 1, column: 1, message: "no scenario in this file (a scenario is a document with name: and steps:)"))
        }
        // The expressions of the whole file compile as one program.
        var names: [String: Int] = [:]
        for scenario in scenarios {
            if let first = names[scenario.name] {
                reader.diagnostics.append(SpecDiagnostic(file: file, line: scenario.mark.line, column: scenario.mark.column,
                                                         message: "a second scenario named \"\(scenario.name)\" (the first is at line \(first)); --run needs names that differ"))
            }
            names[scenario.name] = scenario.mark.line
        }
        var program: JQProgram?
        if !reader.expressions.isEmpty {
            do {
                program = try JQProgram(expressions: reader.expressions.map(\.text), variables: [])
            } catch let e as JQProgramError {
                for error in e.errors where reader.expressions.indices.contains(error.index) {
                    let mark = reader.expressions[error.index].mark
                    reader.diagnostics.append(SpecDiagnostic(file: file, line: mark.line, column: mark.column, message: "jq: \(error.error.message)"))
                }
            } catch {
                reader.diagnostics.append(SpecDiagnostic(file: file, line: 1, column: 1, message: "jq: \(error)"))
            }
        }
        let diagnostics = reader.diagnostics.sorted()
        guard diagnostics.isEmpty else { return ([], diagnostics) }
        return (scenarios.map { var s = $0; s.program = program; return s }, [])
    }

    /// What needs the operator: handler ids and step names in `ran`/`notRan`.
    public static func validate(_ scenario: Scenario, against loaded: LoadedOperator) -> [SpecDiagnostic] {
        var out: [SpecDiagnostic] = []
        let handlers = loaded.spec.handlers
        for step in scenario.steps {
            for expectation in step.expectations {
                let names: [String]
                switch expectation.kind {
                case .ran(let n), .notRan(let n): names = n
                default: continue
                }
                for name in names {
                    let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                    guard let handler = handlers.first(where: { $0.id == parts[0] }) else {
                        out.append(SpecDiagnostic(file: expectation.mark.file, line: expectation.mark.line, column: expectation.mark.column,
                                                  message: "no handler \"\(parts[0])\" in \(loaded.file)\(Suggestion.hint(for: parts[0], among: handlers.map(\.id)))"))
                        continue
                    }
                    if parts.count == 2 {
                        let steps = handler.steps.map(\.displayName)
                        if !steps.contains(parts[1]) {
                            out.append(SpecDiagnostic(file: expectation.mark.file, line: expectation.mark.line, column: expectation.mark.column,
                                                      message: "handler \(handler.id) has no step \"\(parts[1])\" (its steps: \(steps.joined(separator: ", ")))"))
                        }
                    }
                }
            }
        }
        return out
    }

    /// The operator a scenario file tests when it names none: the folder holding the
    /// file's folder when that is `tests/`, else the file's own folder.
    public static func defaultOperator(forFile file: String) -> String {
        let folder = Files.directory(of: file)
        let base = folder.split(separator: "/").last.map(String.init) ?? folder
        if base == "tests" { return Files.directory(of: folder) }
        return folder
    }
}

/// Reads the documents of one file; collects problems and jq expressions.
final class FileReader {
    let file: String
    var document: YAMLDocument!
    var diagnostics: [SpecDiagnostic] = []
    var expressions: [(text: String, mark: SourceMark)] = []

    init(file: String) { self.file = file }

    typealias Path = [PathComponent]

    func mark(_ path: Path, atKey: Bool = false) -> SourceMark {
        let info = document.node(at: path)
        let position = (atKey ? info?.keyPosition : nil) ?? info?.position ?? document.position
        return SourceMark(file: file, line: position.line, column: position.column)
    }

    func error(_ path: Path, atKey: Bool = false, _ message: String) {
        let m = mark(path, atKey: atKey)
        diagnostics.append(SpecDiagnostic(file: file, line: max(1, m.line), column: max(1, m.column), message: message))
    }

    static func label(_ path: Path) -> String {
        var out = ""
        for c in path {
            switch c {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out.isEmpty ? "the document" : out
    }

    /// The object at `path` with only `allowed` keys; nil (and a problem) when it is not an object.
    func object(_ value: JSON, _ path: Path, allowed: [String], what: String) -> JSONObject? {
        guard let object = value.object else {
            error(path, "\(Self.label(path)): expected \(what) (an object), found \(value.kindDescription)")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            error(path + [.key(key)], atKey: true, "unknown key \"\(key)\" in \(what)\(Suggestion.hint(for: key, among: allowed)); known keys: \(allowed.joined(separator: ", "))")
        }
        return object
    }

    func string(_ value: JSON?, _ path: Path, required: Bool = false, what: String = "") -> String? {
        guard let value else {
            if required { error(Array(path.dropLast()), "\(Self.label(Array(path.dropLast()))): \(Self.label([path.last!])) is required\(what.isEmpty ? "" : " (\(what))")") }
            return nil
        }
        switch value {
        case .string(let s): return s
        case .int, .double, .bool: return value.description
        default:
            error(path, "\(Self.label(path)): expected a string, found \(value.kindDescription)")
            return nil
        }
    }

    func int(_ value: JSON?, _ path: Path) -> Int? {
        guard let value else { return nil }
        guard let n = value.int else {
            error(path, "\(Self.label(path)): expected an integer, found \(value.kindDescription)")
            return nil
        }
        return n
    }

    func bool(_ value: JSON?, _ path: Path) -> Bool? {
        guard let value else { return nil }
        guard let b = value.bool else {
            error(path, "\(Self.label(path)): expected true or false, found \(value.kindDescription)")
            return nil
        }
        return b
    }

    func strings(_ value: JSON?, _ path: Path) -> [String]? {
        guard let value else { return nil }
        if let s = value.string { return [s] }
        guard let items = value.array else {
            error(path, "\(Self.label(path)): expected a list of strings, found \(value.kindDescription)")
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            if let s = string(item, path + [.index(i)]) { out.append(s) }
        }
        return out
    }

    func expression(_ text: String, _ path: Path) -> ScenarioExpression {
        expressions.append((text, mark(path)))
        return ScenarioExpression(text: text, index: expressions.count - 1)
    }

    // MARK: - A scenario

    func scenario() -> Scenario? {
        let root = document.value
        let before = diagnostics.count
        guard let top = object(root, [], allowed: ScenarioParser.topKeys, what: "a scenario") else { return nil }
        let name = string(top["name"], [.key("name")], required: true, what: "what --run and the report call the scenario") ?? ""
        if top["steps"] == nil { error([], "the scenario has no steps: (a list of actions and expectations)") }
        _ = string(top["description"], [.key("description")])
        var operatorPath = ScenarioParser.defaultOperator(forFile: file)
        if let path = string(top["operator"], [.key("operator")]) {
            operatorPath = path.hasPrefix("/") ? path : Files.join(Files.directory(of: file), path)
        }
        var start = (Timestamp.parseSeconds(ScenarioParser.defaultStart) ?? 0) * 1_000_000
        if let text = string(top["start"], [.key("start")]) {
            if let seconds = Timestamp.parseSeconds(text) { start = seconds * 1_000_000 } else {
                error([.key("start")], "start: expected a time like 2026-01-05T02:00:00Z, found \"\(text)\"")
            }
        }
        let namespace = string(top["namespace"], [.key("namespace")]) ?? "default"
        var objects: [PlacedObject] = []
        if let list = top["objects"] {
            if let items = list.array {
                for (i, item) in items.enumerated() {
                    objects += objectsItem(item, [.key("objects"), .index(i)])
                }
            } else {
                error([.key("objects")], "objects: expected a list of objects, found \(list.kindDescription)")
            }
        }
        var answers: [PodCommandScript.Answer] = []
        if let list = top["answers"] {
            if let items = list.array {
                for (i, item) in items.enumerated() {
                    if let a = answer(item, [.key("answers"), .index(i)]) { answers.append(a) }
                }
            } else {
                error([.key("answers")], "answers: expected a list of answers, found \(list.kindDescription)")
            }
        }
        var steps: [ScenarioStep] = []
        if let list = top["steps"] {
            if let items = list.array {
                if items.isEmpty { error([.key("steps")], "steps: the list is empty") }
                for (i, item) in items.enumerated() {
                    if let s = step(item, [.key("steps"), .index(i)], number: i + 1) { steps.append(s) }
                }
            } else {
                error([.key("steps")], "steps: expected a list of steps, found \(list.kindDescription)")
            }
        }
        guard diagnostics.count == before else { return nil }
        return Scenario(name: name, file: file, mark: mark([.key("name")]), operatorPath: operatorPath, startMicroseconds: start,
                        namespace: namespace, objects: objects, answers: answers, steps: steps, program: nil)
    }

    /// An object, or `{file: PATH}`: every document of a YAML file beside the scenario.
    func objectsItem(_ value: JSON, _ path: Path) -> [PlacedObject] {
        if let o = value.object, o.keys.count == 1, let included = o["file"] {
            guard let relative = string(included, path + [.key("file")]) else { return [] }
            let full = relative.hasPrefix("/") ? relative : Files.join(Files.directory(of: file), relative)
            do {
                let docs = try YAML.loadFile(atPath: full)
                var out: [PlacedObject] = []
                for doc in docs where !doc.value.isNull {
                    guard doc.value["kind"]?.string != nil, doc.value["apiVersion"]?.string != nil, doc.value["metadata"]?["name"]?.string != nil else {
                        error(path + [.key("file")], "\(relative): a document at line \(doc.position.line) has no apiVersion, kind or metadata.name")
                        continue
                    }
                    out.append(PlacedObject(object: doc.value, mark: mark(path)))
                }
                return out
            } catch let e as YAMLError {
                error(path + [.key("file")], "\(relative): \(e)")
            } catch {
                self.error(path + [.key("file")], "\(relative): cannot read it (\(error)); the path is relative to the scenario file")
            }
            return []
        }
        return placedObject(value, path).map { [$0] } ?? []
    }

    /// A whole Kubernetes object: apiVersion, kind and metadata.name are required.
    func placedObject(_ value: JSON, _ path: Path) -> PlacedObject? {
        guard let o = value.object else {
            error(path, "\(Self.label(path)): expected a Kubernetes object (apiVersion, kind, metadata), found \(value.kindDescription)")
            return nil
        }
        var ok = true
        for key in ["apiVersion", "kind"] where o[key]?.string == nil {
            error(path, "\(Self.label(path)): the object has no \(key)")
            ok = false
        }
        if value["metadata"]?["name"]?.string == nil {
            error(value["metadata"] == nil ? path : path + [.key("metadata")], "\(Self.label(path)): the object has no metadata.name")
            ok = false
        }
        return ok ? PlacedObject(object: value, mark: mark(path)) : nil
    }

    func target(_ value: JSON, _ path: Path, nameRequired: Bool, labels: Bool = false) -> ObjectTarget? {
        var allowed = ["apiVersion", "kind", "name", "namespace"]
        if labels { allowed.append("labels") }
        guard let o = object(value, path, allowed: allowed, what: "an object reference") else { return nil }
        guard let kind = string(o["kind"], path + [.key("kind")], required: true) else { return nil }
        let name = string(o["name"], path + [.key("name")], required: nameRequired)
        if nameRequired && name == nil { return nil }
        var selector: [String: String] = [:]
        if let l = o["labels"] {
            if let lo = l.object {
                for (k, v) in lo { if let s = string(v, path + [.key("labels"), .key(k)]) { selector[k] = s } }
            } else {
                error(path + [.key("labels")], "labels: expected an object of label values, found \(l.kindDescription)")
            }
        }
        return ObjectTarget(apiVersion: string(o["apiVersion"], path + [.key("apiVersion")]), kind: kind, name: name,
                            namespace: string(o["namespace"], path + [.key("namespace")]), labels: selector)
    }

    func answer(_ value: JSON, _ path: Path) -> PodCommandScript.Answer? {
        guard let o = object(value, path, allowed: ["command", "exact", "pod", "stdout", "stderr", "exitCode", "times"], what: "an answer") else { return nil }
        guard let command = strings(o["command"], path + [.key("command")]) else {
            if o["command"] == nil { error(path, "\(Self.label(path)): command is required (the first words of the command it answers)") }
            return nil
        }
        return PodCommandScript.Answer(
            command: command, exact: bool(o["exact"], path + [.key("exact")]) ?? false, podPrefix: string(o["pod"], path + [.key("pod")]),
            stdout: string(o["stdout"], path + [.key("stdout")]) ?? "", stderr: string(o["stderr"], path + [.key("stderr")]) ?? "",
            exitCode: Int32(clamping: int(o["exitCode"], path + [.key("exitCode")]) ?? 0), times: int(o["times"], path + [.key("times")]))
    }

    func job(_ value: JSON, _ path: Path, extra: [String]) -> JobTarget? {
        guard let o = object(value, path, allowed: ["name", "prefix", "namespace"] + extra, what: "a Job reference") else { return nil }
        let name = string(o["name"], path + [.key("name")])
        let prefix = string(o["prefix"], path + [.key("prefix")])
        if (name == nil) == (prefix == nil) {
            error(path, "\(Self.label(path)): give the Job's name: or a prefix: of it (one of the two)")
            return nil
        }
        return JobTarget(name: name, prefix: prefix, namespace: string(o["namespace"], path + [.key("namespace")]))
    }

    static let errorNames: [String: Int] = ["Conflict": 409, "TooManyRequests": 429, "InternalError": 500, "Forbidden": 403]

    func failCalls(_ value: JSON, _ path: Path) -> FaultRule? {
        let keys = ["verb", "verbs", "resource", "subresource", "namespace", "name", "times", "error", "message"]
        guard let o = object(value, path, allowed: keys, what: "failCalls") else { return nil }
        var verbs: Set<String>?
        if let v = o["verb"] ?? o["verbs"], let list = strings(v, path + [.key(o["verb"] != nil ? "verb" : "verbs")]) {
            let known = ["get", "list", "create", "update", "patch", "delete", "exec"]
            for verb in list where !known.contains(verb) {
                error(path + [.key(o["verb"] != nil ? "verb" : "verbs")], "unknown verb \"\(verb)\"\(Suggestion.hint(for: verb, among: known)); use \(known.joined(separator: ", "))")
            }
            verbs = Set(list)
        }
        var code = 500
        if let e = o["error"] {
            if let n = e.int, [403, 409, 429, 500, 503].contains(n) { code = n } else if let s = e.string, let n = Self.errorNames[s] { code = n } else {
                error(path + [.key("error")], "error: expected 409 (Conflict), 429 (TooManyRequests), 500 (InternalError) or 403 (Forbidden), found \(e.description)")
                return nil
            }
        } else {
            error(path, "\(Self.label(path)): error is required: 409, 429, 500 or 403 (or Conflict, TooManyRequests, InternalError, Forbidden)")
            return nil
        }
        let times = int(o["times"], path + [.key("times")]) ?? 1
        if times < 1 { error(path + [.key("times")], "times: at least 1") }
        return FaultRule(
            verbs: verbs, resource: string(o["resource"], path + [.key("resource")]), subresource: string(o["subresource"], path + [.key("subresource")]),
            namespace: string(o["namespace"], path + [.key("namespace")]), name: string(o["name"], path + [.key("name")]),
            times: times, action: .error(code: code, message: string(o["message"], path + [.key("message")])))
    }

    // MARK: - Steps

    func step(_ value: JSON, _ path: Path, number: Int) -> ScenarioStep? {
        guard let o = object(value, path, allowed: ["name", "expect"] + ScenarioParser.actionKeys, what: "a step") else { return nil }
        let actions = o.keys.filter { ScenarioParser.actionKeys.contains($0) }
        if actions.count > 1 {
            error(path + [.key(actions[1])], atKey: true, "a step has one action; this one has \(actions.joined(separator: " and ")) (make two steps)")
            return nil
        }
        let unknown = o.keys.contains { !ScenarioParser.actionKeys.contains($0) && $0 != "name" && $0 != "expect" }
        if actions.isEmpty && o["expect"] == nil && !unknown {
            error(path, "step \(number): no action (\(ScenarioParser.actionKeys.joined(separator: ", "))) and no expect:")
            return nil
        }
        var action: ScenarioAction?
        var title = "expect"
        if let key = actions.first, let v = o[key] {
            let p = path + [.key(key)]
            switch key {
            case "create", "update":
                guard let obj = placedObject(v, p) else { return nil }
                action = key == "create" ? .create(obj) : .update(obj)
                title = "\(key) \(obj.object["kind"]?.string ?? "") \(obj.object["metadata"]?["name"]?.string ?? "")"
            case "patch":
                guard let po = object(v, p, allowed: ["apiVersion", "kind", "name", "namespace", "subresource", "merge"], what: "a patch") else { return nil }
                var t = po
                t.removeValue(forKey: "merge")
                t.removeValue(forKey: "subresource")
                guard let target = target(.object(t), p, nameRequired: true) else { return nil }
                guard let merge = po["merge"], merge.object != nil else {
                    error(p, "patch: merge is required (the JSON merge patch, e.g. merge: {spec: {password: new}})")
                    return nil
                }
                action = .patch(target, merge: merge, subresource: string(po["subresource"], p + [.key("subresource")]))
                title = "patch \(target)"
            case "delete":
                guard let target = target(v, p, nameRequired: true) else { return nil }
                action = .delete(target)
                title = "delete \(target)"
            case "advance":
                guard let text = string(v, p), let d = Durations.parse(text) else {
                    error(p, "advance: expected a duration like 30s, 5m or 1h30m")
                    return nil
                }
                action = .advance(d)
                title = "advance \(text)"
            case "completeJob":
                guard let j = job(v, p, extra: []) else { return nil }
                action = .completeJob(j)
                title = "completeJob \(j.name ?? "\(j.prefix ?? "")…")"
            case "failJob":
                guard let j = job(v, p, extra: ["exitCode", "message", "log"]) else { return nil }
                action = .failJob(j, exitCode: int(v["exitCode"], p + [.key("exitCode")]) ?? 1, message: string(v["message"], p + [.key("message")]),
                                  log: string(v["log"], p + [.key("log")]))
                title = "failJob \(j.name ?? "\(j.prefix ?? "")…")"
            case "answer":
                guard let a = answer(v, p) else { return nil }
                action = .answer(a)
                title = "answer \(a.command.joined(separator: " "))"
            case "failCalls":
                guard let f = failCalls(v, p) else { return nil }
                action = .failCalls(f)
                if case .error(let code, _, _) = f.action { title = "failCalls \(code)" } else { title = "failCalls" }
            default:  // kill, start, restart
                if !(v.isNull || v == .bool(true) || v == .object([:])) {
                    error(p, "\(key): takes no value (write \(key): true)")
                    return nil
                }
                action = key == "kill" ? .kill : key == "start" ? .start : .restart
                title = key
            }
        }
        if let n = string(o["name"], path + [.key("name")]) { title = n }
        var expectations: [Expectation] = []
        if let e = o["expect"] {
            let items = e.array ?? [e]
            let base = e.array == nil ? path + [.key("expect")] : nil
            for (i, item) in items.enumerated() {
                let p = base ?? path + [.key("expect"), .index(i)]
                if let x = expectation(item, p) { expectations.append(x) }
            }
        }
        return ScenarioStep(number: number, mark: mark(path), title: title, action: action, expectations: expectations)
    }

    func expectation(_ value: JSON, _ path: Path) -> Expectation? {
        guard let o = value.object else {
            error(path, "\(Self.label(path)): expected an expectation (one of \(ScenarioParser.expectationKeys.joined(separator: ", "))), found \(value.kindDescription)")
            return nil
        }
        let kinds = o.keys.filter { ScenarioParser.expectationKeys.contains($0) }
        guard kinds.count == 1, let key = kinds.first, let v = o[key] else {
            if kinds.isEmpty {
                let unknown = o.keys.first ?? ""
                error(path + (unknown.isEmpty ? [] : [.key(unknown)]), atKey: true,
                      "unknown expectation \"\(unknown)\"\(Suggestion.hint(for: unknown, among: ScenarioParser.expectationKeys)); use one of \(ScenarioParser.expectationKeys.joined(separator: ", "))")
            } else {
                error(path + [.key(kinds[1])], atKey: true, "one expectation per list item; this one has \(kinds.joined(separator: " and "))")
            }
            return nil
        }
        let p = path + [.key(key)]
        let m = mark(path, atKey: false)
        let allowedBeside: [String] = key == "object" ? ["jq", "equals", "exists", "history"] : []
        for other in o.keys where other != key && !allowedBeside.contains(other) {
            error(path + [.key(other)], atKey: true, "unknown key \"\(other)\" beside \(key)\(allowedBeside.isEmpty ? "" : "; known: \(allowedBeside.joined(separator: ", "))")")
        }
        switch key {
        case "object":
            guard let t = target(v, p, nameRequired: false, labels: true) else { return nil }
            let check: ObjectCheck
            if let exists = o["exists"] {
                guard let b = bool(exists, path + [.key("exists")]) else { return nil }
                if o["jq"] != nil { error(path + [.key("jq")], atKey: true, "jq: not with exists: (an object that must exist is checked by jq: alone)") }
                check = .exists(b)
            } else if let jq = o["jq"] {
                guard let text = string(jq, path + [.key("jq")]) else { return nil }
                let e = expression(text, path + [.key("jq")])
                check = o["equals"].map { .equals(e, $0) } ?? .holds(e)
            } else {
                error(path, "object: say what must hold: jq: EXPRESSION (true, or the value under equals:), or exists: true/false")
                return nil
            }
            if o["equals"] != nil && o["jq"] == nil { error(path + [.key("equals")], atKey: true, "equals: needs jq: (the value to compare)") }
            let history = bool(o["history"], path + [.key("history")]) ?? false
            if history && (t.name == nil || o["exists"] != nil) {
                error(path + [.key("history")], atKey: true, "history: needs an object with a name, and jq: (not exists:)")
            }
            return Expectation(mark: m, kind: .object(t, check, history: history))
        case "ran", "notRan":
            guard let names = strings(v, p) else { return nil }
            if names.isEmpty { error(p, "\(key): the list is empty") }
            return Expectation(mark: m, kind: key == "ran" ? .ran(names) : .notRan(names))
        case "event", "noEvent":
            guard let eo = object(v, p, allowed: ["reason", "type", "message", "kind", "name"], what: "an event") else { return nil }
            let match = EventMatch(reason: string(eo["reason"], p + [.key("reason")]), type: string(eo["type"], p + [.key("type")]),
                                   message: string(eo["message"], p + [.key("message")]), kind: string(eo["kind"], p + [.key("kind")]),
                                   name: string(eo["name"], p + [.key("name")]))
            if eo.isEmpty { error(p, "\(key): give at least one of reason, type, message, kind, name") }
            return Expectation(mark: m, kind: .event(match, absent: key == "noEvent"))
        case "commands":
            guard let items = v.array else {
                error(p, "commands: expected a list of commands (each {command: [...], pod:, container:, stdin:}), found \(v.kindDescription)")
                return nil
            }
            var out: [CommandMatch] = []
            for (i, item) in items.enumerated() {
                let ip = p + [.index(i)]
                if item.array != nil {
                    if let argv = strings(item, ip) { out.append(CommandMatch(command: argv)) }
                    continue
                }
                guard let co = object(item, ip, allowed: ["command", "pod", "container", "stdin"], what: "a command") else { continue }
                guard let argv = strings(co["command"], ip + [.key("command")]) else {
                    if co["command"] == nil { error(ip, "\(Self.label(ip)): command is required (the whole argv)") }
                    continue
                }
                out.append(CommandMatch(command: argv, pod: string(co["pod"], ip + [.key("pod")]), container: string(co["container"], ip + [.key("container")]),
                                        stdin: string(co["stdin"], ip + [.key("stdin")])))
            }
            return Expectation(mark: m, kind: .commands(out))
        default:  // writes
            if let n = v.int { return Expectation(mark: m, kind: .writes(count: n, verb: nil, resource: nil)) }
            guard let wo = object(v, p, allowed: ["count", "verb", "resource"], what: "writes") else { return nil }
            guard let n = int(wo["count"], p + [.key("count")]) else {
                if wo["count"] == nil { error(p, "writes: count is required") }
                return nil
            }
            let verb = string(wo["verb"], p + [.key("verb")])
            if let verb, !["create", "update", "patch", "delete"].contains(verb) {
                error(p + [.key("verb")], "writes.verb: one of create, update, patch, delete")
            }
            return Expectation(mark: m, kind: .writes(count: n, verb: verb, resource: string(wo["resource"], p + [.key("resource")])))
        }
    }
}
