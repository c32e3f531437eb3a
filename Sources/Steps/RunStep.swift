import Glibc
import JSONValue
import Platform
import Spec

/// `run`: a local command in the operator's container (the shell-operator escape hatch).
/// argv, never a shell line; the JSON context (object, variables) on stdin unless
/// `stdin:` says otherwise; stdout parsed as JSON when it is JSON.
enum RunStep {
    /// What is kept of each output in `$steps` and in status.
    static let outputCap = 16 << 10

    /// A command that exits without reading its stdin makes our write to the pipe raise
    /// SIGPIPE, whose default action kills the whole operator. Ignored process-wide (the
    /// write then fails with EPIPE, which ChildProcess handles), as servers do.
    static let sigpipeIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    static func render(_ action: RunAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> LocalCommand {
        let argvValue = try await env.evaluator.render(action.command, scope)
        guard let list = argvValue.array, !list.isEmpty else {
            throw StepError("\(step): command must render to a non-empty list of strings", permanent: true)
        }
        var argv: [String] = []
        for item in list {
            switch item {
            case .string(let s): argv.append(s)
            case .int, .double, .bool: argv.append(item.serialized())
            default: throw StepError("\(step): command arguments must be strings, got \(item.typeName)", permanent: true)
            }
        }
        if argv[0].contains("/") && !argv[0].hasPrefix("/") { argv[0] = Files.join(env.operatorDirectory, argv[0]) }
        var environment: [String: String] = [:]
        if let t = action.env {
            let v = try await env.evaluator.render(t, scope)
            for (k, value) in v.object ?? [:] { environment[k] = value.string ?? value.serialized() }
        }
        let input: JSON
        if let e = action.stdin {
            input = try await env.evaluator.value(e, scope)
        } else {
            var context: JSON = ["object": scope.object]
            for (k, v) in scope.variables { context[k] = v }
            input = context
        }
        return LocalCommand(argv: argv, environment: environment, stdin: input)
    }

    static func run(_ action: RunAction, _ scope: Scope, _ env: StepEnvironment, step: String, deadline: ContinuousClock.Instant) async throws -> StepOutcome {
        let command = try await render(action, scope, env, step: step)
        let argv = command.argv
        let environment = command.environment
        let input = command.stdin
        let stdin: [UInt8] = input.string.map { Array($0.utf8) } ?? input.serializedBytes()
        let millis = max(1, Int((deadline - ContinuousClock.now).components.seconds * 1000))
        _ = sigpipeIgnored
        let result: ProcessResult
        do {
            result = try await ChildProcess.run(argv, environment: environment, stdin: stdin, timeoutMilliseconds: millis, outputLimit: 1 << 20)
        } catch {
            throw StepError("\(step): \(error)")
        }
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        var output: JSON = [
            "exitCode": .int(Int(result.exitCode)),
            "stdout": (try? JSON.parse(result.stdout)) ?? .string(OutputText.tail(stdout, outputCap)),
            "stderr": .string(OutputText.tail(stderr, outputCap)),
        ]
        if result.timedOut {
            throw StepError("\(step): \(argv[0]) did not finish in time and was killed")
        }
        guard action.expectExitCodes.contains(Int(result.exitCode)) else {
            output["ok"] = false
            throw StepError(env.redact("\(step): \(argv[0]) exited with \(result.exitCode): \(OutputText.tail(stderr.isEmpty ? stdout : stderr, 300))"))
        }
        return StepOutcome(output: output)
    }
}

/// A local command as a `run` step would start it: argv (a relative program path
/// resolved against the operator's folder), extra environment, and the stdin value.
public struct LocalCommand: Sendable {
    public var argv: [String]
    public var environment: [String: String]
    public var stdin: JSON
}

/// Trimming command output for status and messages.
public enum OutputText {
    /// The last `limit` bytes of a text (at a character boundary), trimmed of surrounding whitespace.
    public static func tail(_ text: String, _ limit: Int) -> String {
        var s = Substring(text)
        while let l = s.last, l.isWhitespace { s.removeLast() }
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        if s.utf8.count <= limit { return String(s) }
        var cut = s.utf8.index(s.utf8.endIndex, offsetBy: -limit)
        while cut < s.utf8.endIndex && !s.indices.contains(cut) { s.utf8.formIndex(after: &cut) }
        return "…" + String(s[cut...])
    }
}
