import Synchronization

/// Commands in pods and pod logs: what `kubectl exec` and `kubectl logs` do. The HTTP client
/// (`KubeClient`, exec over a WebSocket) and the in-memory cluster (scripted or local
/// commands) both stand behind it; steps reach it by `api as? any PodAccess`.
///
/// Refusals by the API server (no such pod, unknown container, pod not running) throw
/// `KubeError`; a command that cannot be started or a broken exec session throws
/// `PodExecError`. A command that runs and exits non-zero is not an error: its exit code
/// is returned.
public protocol PodAccess: Sendable {
    /// Runs `request.command` in the pod's container to its end.
    ///
    /// - Parameters:
    ///   - stdin: pulled chunk by chunk while the command runs (a slow source slows the
    ///     command, nothing is buffered whole); its end closes the command's stdin. Nil:
    ///     the command gets no stdin.
    ///   - stdout, stderr: get the output as it comes; the command waits while they do.
    /// - Returns: the command's exit code.
    func exec(_ request: PodExecRequest, stdin: PodExecInput?, stdout: PodExecOutput, stderr: PodExecOutput) async throws -> Int

    /// A container's log as `GET …/pods/NAME/log` serves it.
    func logs(_ request: PodLogRequest) async throws -> String
}

extension PodAccess {
    /// Runs a command and keeps the last `keep` bytes of stdout and of stderr.
    public func exec(_ request: PodExecRequest, stdin: PodExecInput? = nil, keep: Int = PodExecResult.defaultKeep) async throws -> PodExecResult {
        let out = OutputTail(limit: keep), err = OutputTail(limit: keep)
        let code = try await exec(request, stdin: stdin, stdout: out.output, stderr: err.output)
        return PodExecResult(exitCode: code, stdout: out.bytes, stderr: err.bytes, stdoutCount: out.totalCount, stderrCount: err.totalCount)
    }
}

/// Which command runs where.
public struct PodExecRequest: Sendable, Equatable {
    public var namespace: String
    public var pod: String
    /// Nil: the pod's only container (the server refuses when there are several).
    public var container: String?
    /// The program and its arguments; never a shell line unless argv names a shell.
    public var command: [String]

    public init(namespace: String, pod: String, container: String? = nil, command: [String]) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.command = command
    }
}

/// A command's stdin: an asynchronous sequence of byte chunks; the end of the sequence is
/// the end of input. Chunks are pulled only when the command side can take them.
public struct PodExecInput: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let pull: @Sendable () async throws -> [UInt8]?

    /// Input from a function that returns the next chunk, or nil at the end.
    public init(next: @escaping @Sendable () async throws -> [UInt8]?) { pull = next }

    /// Fixed bytes, handed out in chunks of `chunkSize`.
    public static func bytes(_ bytes: [UInt8], chunkSize: Int = 32 << 10) -> PodExecInput {
        let rest = Mutex<ArraySlice<UInt8>>(bytes[...])
        let size = Swift.max(1, chunkSize)
        return PodExecInput {
            rest.withLock { r in
                if r.isEmpty { return nil }
                let chunk = Array(r.prefix(size))
                r = r.dropFirst(chunk.count)
                return chunk
            }
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pull: @Sendable () async throws -> [UInt8]?
        public mutating func next() async throws -> [UInt8]? { try await pull() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pull: pull) }

    /// The next chunk, or nil at the end (empty chunks are skipped).
    public func read() async throws -> [UInt8]? {
        while let chunk = try await pull() {
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }
}

/// Where a command's stdout or stderr goes. `write` returning is what lets the command go on,
/// so a slow writer gives back-pressure.
public struct PodExecOutput: Sendable {
    public let write: @Sendable ([UInt8]) async throws -> Void

    public init(write: @escaping @Sendable ([UInt8]) async throws -> Void) { self.write = write }

    /// Output that is thrown away.
    public static let discard = PodExecOutput { _ in }
}

/// Keeps the last `limit` bytes written (a command's output must not grow memory without
/// bound, and for errors the end of the output is what tells what went wrong).
public final class OutputTail: Sendable {
    private let state = Mutex<(bytes: [UInt8], total: Int)>(([], 0))
    public let limit: Int

    public init(limit: Int) { self.limit = max(0, limit) }

    public func append(_ bytes: [UInt8]) {
        state.withLock { s in
            s.total += bytes.count
            if bytes.count >= limit {
                s.bytes = Array(bytes.suffix(limit))
                return
            }
            s.bytes.append(contentsOf: bytes)
            // Trim in batches so that many small writes do not shift the buffer each time.
            if s.bytes.count > 2 * limit || (s.bytes.count > limit && s.bytes.count > 4096) {
                s.bytes.removeFirst(s.bytes.count - limit)
            }
        }
    }

    public var output: PodExecOutput { PodExecOutput { [self] bytes in append(bytes) } }
    /// The kept bytes: the last `limit` written.
    public var bytes: [UInt8] { state.withLock { Array($0.bytes.suffix(limit)) } }
    /// How many bytes were written in all.
    public var totalCount: Int { state.withLock { $0.total } }
}

/// A finished command with the tails of its output.
public struct PodExecResult: Sendable, Equatable {
    /// What is kept of each output by default: 16 KiB.
    public static let defaultKeep = 16 << 10

    public var exitCode: Int
    /// The last bytes of stdout and stderr (at most the `keep` asked for).
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// How many bytes each output had in all.
    public var stdoutCount: Int
    public var stderrCount: Int

    public init(exitCode: Int, stdout: [UInt8], stderr: [UInt8], stdoutCount: Int? = nil, stderrCount: Int? = nil) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutCount = stdoutCount ?? stdout.count
        self.stderrCount = stderrCount ?? stderr.count
    }
}

/// Which log to read.
public struct PodLogRequest: Sendable, Equatable {
    public var namespace: String
    public var pod: String
    /// Nil: the pod's only container.
    public var container: String?
    /// Only the last lines; nil for the whole log.
    public var tailLines: Int?
    /// At most this many bytes (the server cuts the log there); nil for no limit.
    public var limitBytes: Int?

    public init(namespace: String, pod: String, container: String? = nil, tailLines: Int? = nil, limitBytes: Int? = nil) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.tailLines = tailLines
        self.limitBytes = limitBytes
    }
}

/// An exec that could not run or whose session broke (not a refusal by the API server,
/// which is a `KubeError`, and not a non-zero exit, which is a result).
public struct PodExecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
