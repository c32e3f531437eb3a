import JSONValue
import KubeMemory
import Synchronization

/// What commands "in pods" answer under `yopf test`, and a record of every one that ran:
/// the pod, the container, the argv and the stdin it was given. A scenario adds answers
/// (`when` this command — the first argv words, or all of them — in pods matching, answer
/// with this stdout, stderr and exit code); a command no answer matches exits 0 with no
/// output, after reading its stdin. Nothing runs for real.
public final class PodCommandScript: Sendable {
    public struct Answer: Sendable {
        /// Matches when the command starts with these words (all of them when `exact`).
        public var command: [String]
        public var exact: Bool
        /// Matches pods whose name starts with this (any pod when nil).
        public var podPrefix: String?
        public var stdout: String
        public var stderr: String
        public var exitCode: Int32
        /// How many times it answers (nil: always); later answers then match.
        public var times: Int?

        public init(command: [String], exact: Bool = false, podPrefix: String? = nil, stdout: String = "", stderr: String = "",
                    exitCode: Int32 = 0, times: Int? = nil) {
            self.command = command
            self.exact = exact
            self.podPrefix = podPrefix
            self.stdout = stdout
            self.stderr = stderr
            self.exitCode = exitCode
            self.times = times
        }

        func matches(_ argv: [String], pod: String) -> Bool {
            if let podPrefix, !pod.hasPrefix(podPrefix) { return false }
            return exact ? argv == command : argv.starts(with: command)
        }
    }

    /// One command that ran.
    public struct Call: Sendable, Equatable {
        public var namespace: String
        public var pod: String
        public var container: String
        public var argv: [String]
        public var stdin: String
        public var exitCode: Int32
    }

    private let answers = Mutex<[Answer]>([])
    private let calls = Mutex<[Call]>([])

    public init() {}

    /// Adds an answer; the newest matching answer wins.
    public func add(_ answer: Answer) { answers.withLock { $0.append(answer) } }

    public var recorded: [Call] { calls.withLock { $0 } }

    /// The runner the in-memory cluster's pods use.
    var runner: ScriptedPodCommandRunner {
        ScriptedPodCommandRunner { [self] command, stdin, stdout, stderr in
            var input: [UInt8] = []
            while let chunk = try await stdin.read() { input += chunk }
            let answer: Answer? = answers.withLock { list in
                guard let i = list.lastIndex(where: { $0.matches(command.argv, pod: command.podName) }) else { return nil }
                let chosen = list[i]
                if let times = chosen.times {
                    if times <= 1 { list.remove(at: i) } else { list[i].times = times - 1 }
                }
                return chosen
            }
            if let answer {
                if !answer.stdout.isEmpty { try await stdout.write(Array(answer.stdout.utf8)) }
                if !answer.stderr.isEmpty { try await stderr.write(Array(answer.stderr.utf8)) }
            }
            let code = answer?.exitCode ?? 0
            calls.withLock {
                $0.append(Call(namespace: command.podNamespace, pod: command.podName, container: command.container,
                               argv: command.argv, stdin: String(decoding: input, as: UTF8.self), exitCode: code))
            }
            return code
        }
    }
}
