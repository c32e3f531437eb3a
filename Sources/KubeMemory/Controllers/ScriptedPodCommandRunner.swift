/// The dev-cluster's default runner: commands do what a closure says, nothing runs for real.
///
/// Without a script, a few programs behave like their namesakes so that `kubectl exec`
/// against the dev-cluster gives recognisable answers:
/// - `echo ARGS…` prints its arguments; `true` exits 0; `false` exits 1;
/// - `cat` copies stdin to stdout; `wc -c` prints the number of bytes read from stdin;
/// - `env` / `printenv [NAME]` print the container's environment;
/// - `sh -c 'exit N'` (also `bash`) exits N.
/// Any other command reads its stdin to the end and exits 0, so handler steps such as
/// `mysqladmin password …` succeed unless a test scripts otherwise.
public struct ScriptedPodCommandRunner: PodCommandRunner {
    public typealias Script = @Sendable (PodCommand, any PodInput, any PodOutput, any PodOutput) async throws -> Int32

    private let script: Script

    /// A runner whose commands do what `script` does; its result is the exit code.
    public init(_ script: @escaping Script) { self.script = script }

    /// A runner with the built-in behaviour described above.
    public init() { script = ScriptedPodCommandRunner.builtin }

    public func run(_ command: PodCommand, stdin: any PodInput, stdout: any PodOutput, stderr: any PodOutput) async throws -> Int32 {
        try await script(command, stdin, stdout, stderr)
    }

    /// The built-in behaviour; a test script may fall back to it for commands it does not know.
    public static let builtin: Script = { command, stdin, stdout, stderr in
        let argv = command.argv
        let program = argv.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
        let args = Array(argv.dropFirst())
        switch program {
        case "echo":
            try await stdout.write(Array((args.joined(separator: " ") + "\n").utf8))
            return 0
        case "true":
            return 0
        case "false":
            return 1
        case "cat" where args.isEmpty:
            while let chunk = try await stdin.read() { try await stdout.write(chunk) }
            return 0
        case "wc" where args == ["-c"]:
            let (_, total) = try await stdin.readAll(limit: 0)
            try await stdout.write(Array("\(total)\n".utf8))
            return 0
        case "env", "printenv":
            if let name = args.first {
                guard let value = command.environment[name] else { return 1 }
                try await stdout.write(Array((value + "\n").utf8))
                return 0
            }
            let lines = command.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            try await stdout.write(Array(lines.utf8))
            return 0
        case "sh" where args.count == 2 && args[0] == "-c", "bash" where args.count == 2 && args[0] == "-c":
            let words = args[1].split(separator: " ")
            if words.count == 2, words[0] == "exit", let code = Int32(words[1]) { return code }
            _ = try await stdin.readAll(limit: 0)
            return 0
        default:
            _ = try await stdin.readAll(limit: 0)
            return 0
        }
    }
}
