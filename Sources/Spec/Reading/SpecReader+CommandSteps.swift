import JSONValue
import YAMLLoader

/// Steps that run commands: `exec` and `stream` in pods, `run` in the operator's container.
extension SpecReader {
    func readExec(_ node: Node, in what: String, known: [String]) -> ExecAction? {
        guard let exec = object(node, in: what, known: known, required: ["pod", "command"]) else { return nil }
        let pod = readPod(exec["pod"])
        let container = templateString(exec["container"], role: "container")
        let command = readArgv(exec["command"])
        let codes = intList(exec["expectExitCodes"], minimum: 0, maximum: 255)
        guard let pod, let command, exec["container"] == nil || container != nil,
            exec["expectExitCodes"] == nil || codes != nil
        else { return nil }
        return ExecAction(pod: pod, container: container, command: command, expectExitCodes: codes ?? [0])
    }

    /// `pod: NAME`, `pod: {name: NAME}` or `pod: {selector: {label: value}}`.
    private func readPod(_ node: Node?) -> PodSelector? {
        guard let node else { return nil }
        if case .string = node.value {
            return templateString(node, role: "pod").map(PodSelector.name)
        }
        guard let pod = object(node, in: "pod", known: Schema.pod) else { return nil }
        switch (pod["name"], pod["selector"]) {
        case (let name?, nil):
            return templateString(name, role: "pod name").map(PodSelector.name)
        case (nil, let selector?):
            guard stringMap(selector) != nil else { return nil }
            if case .object(let labels) = selector.value, labels.isEmpty {
                report("selector: needs at least one label", at: selector)
                return nil
            }
            return template(selector, role: "pod selector").map(PodSelector.labels)
        case (.some, .some):
            report("pod takes \"name\" or \"selector\", not both", at: pod["selector"] ?? pod, onKey: true)
            return nil
        case (nil, nil):
            report("pod needs \"name\" or \"selector\" (labels of the pod)", at: pod)
            return nil
        }
    }

    /// A command line: a non-empty list of strings (numbers and booleans are taken as text),
    /// each of which may hold templates.
    func readArgv(_ node: Node?) -> TemplateValue? {
        guard let node else { return nil }
        guard case .array(let items) = node.value, !items.isEmpty else {
            if case .array = node.value {
                report("\(node.label): the command is empty", at: node)
            } else {
                reportType(node, expected: "a list of arguments, e.g. [mysqladmin, status]")
            }
            return nil
        }
        var arguments: [JSON] = []
        for item in node.items {
            switch item.value {
            case .string: arguments.append(item.value)
            case .int(let i): arguments.append(.string(String(i)))
            case .bool(let b): arguments.append(.string(b ? "true" : "false"))
            case .double: arguments.append(.string(item.value.serialized()))
            default:
                reportType(item, expected: "a string")
                return nil
            }
        }
        return template(Node(value: .array(arguments), path: node.path), role: "command")
    }

    func readStream(_ node: Node) -> StreamAction? {
        guard let exec = readExec(node, in: "stream", known: Schema.stream) else {
            if let stdin = node["stdin"] { _ = readStdin(stdin) }
            return nil
        }
        guard let stdinNode = node["stdin"] else {
            report("missing required field \"stdin\" in stream", at: node)
            return nil
        }
        return readStdin(stdinNode).map { StreamAction(exec: exec, stdin: $0) }
    }

    private func readStdin(_ node: Node) -> StreamAction.Source? {
        guard let stdin = object(node, in: "stdin", known: Schema.stdin) else { return nil }
        let given = stdin.members.map(\.key).filter { Schema.stdin.contains($0) }
        guard given.count == 1, let key = given.first, let value = stdin[key] else {
            if given.isEmpty {
                report("stdin needs one source: \(Schema.stdin.joined(separator: ", "))", at: stdin)
            } else {
                report("stdin takes one source, got \(given.map { "\"\($0)\"" }.joined(separator: " and "))",
                    at: stdin[given[1]] ?? stdin, onKey: true)
            }
            return nil
        }
        switch key {
        case "value":
            return expression(value, role: "stdin value").map(StreamAction.Source.value)
        case "secretKey", "configMapKey":
            guard let reference = object(value, in: key, known: Schema.keyReference, required: ["name", "key"]) else {
                return nil
            }
            let name = templateString(reference["name"], role: "\(key) name")
            let itemKey = templateString(reference["key"], role: "\(key) key")
            guard let name, let itemKey else { return nil }
            return key == "secretKey" ? .secretKey(name: name, key: itemKey) : .configMapKey(name: name, key: itemKey)
        case "file":
            return nonEmptyString(value).map(StreamAction.Source.file)
        default:
            return readExec(value, in: "fromExec", known: Schema.fromExec).map(StreamAction.Source.fromExec)
        }
    }

    func readRun(_ node: Node) -> RunAction? {
        guard let run = object(node, in: "run", known: Schema.run, required: ["command"]) else { return nil }
        let command = readArgv(run["command"])
        let stdin = expression(run["stdin"], role: "stdin")
        var env: TemplateValue?
        if let node = run["env"], stringMap(node) != nil { env = template(node, role: "env") }
        let codes = intList(run["expectExitCodes"], minimum: 0, maximum: 255)
        guard let command, run["stdin"] == nil || stdin != nil, run["env"] == nil || env != nil,
            run["expectExitCodes"] == nil || codes != nil
        else { return nil }
        return RunAction(command: command, stdin: stdin, env: env, expectExitCodes: codes ?? [0])
    }
}
