import Dispatch
import Glibc
import Synchronization

/// A local process whose stdin, stdout and stderr are streamed chunk by chunk, so that a
/// caller can pipe any amount of data through it without holding it whole (`ChildProcess`
/// collects everything; this is its streaming sibling).
///
/// Every blocking system call (read, write, waitpid) runs on a serial dispatch queue of its
/// own pipe, never on a Swift concurrency thread, and each `async` call waits for one chunk:
/// a slow consumer slows the process down instead of filling memory (back-pressure).
public final class StreamingProcess: Sendable {
    public let pid: Int32
    public let command: String

    // The pipe ends this side holds; -1 once closed. Only the queue of a pipe reads or
    // writes its descriptor, so closing it under the lock cannot race with a transfer.
    private let descriptors: Mutex<Descriptors>
    private let stdinQueue = DispatchQueue(label: "yopf.process.stdin")
    private let stdoutQueue = DispatchQueue(label: "yopf.process.stdout")
    private let stderrQueue = DispatchQueue(label: "yopf.process.stderr")
    private let waitQueue = DispatchQueue(label: "yopf.process.wait")
    private let exitCode = Mutex<Int32?>(nil)

    private struct Descriptors {
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
    }

    /// Starts `argv` (no shell; `argv[0]` is looked up in PATH) with `environment` on top of
    /// this process's own (or instead of it, with `inheritEnvironment: false`).
    public init(_ argv: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true) throws {
        guard let program = argv.first, !program.isEmpty else {
            throw ProcessError(command: "(empty)", reason: "no command given")
        }
        command = program
        // A write to a pipe whose reader exited must fail with EPIPE, not kill this process.
        signal(SIGPIPE, SIG_IGN)
        let child = try PipedChild.spawn(argv, environment: StreamingProcess.environment(inherit: inheritEnvironment, extra: environment))
        pid = child.pid
        descriptors = Mutex(Descriptors(stdin: child.stdin, stdout: child.stdout, stderr: child.stderr))
    }

    deinit {
        descriptors.withLock { d in
            for fd in [d.stdin, d.stdout, d.stderr] where fd >= 0 { close(fd) }
        }
        // Reap a child nobody waited for, so it does not stay a zombie.
        if exitCode.withLock({ $0 == nil }) {
            let child = pid
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            }
        }
    }

    /// Writes all of `bytes` to the process's stdin; throws when the process stopped reading
    /// (EPIPE) or stdin was closed.
    public func writeStdin(_ bytes: [UInt8]) async throws {
        if bytes.isEmpty { return }
        let failure: Int32? = await perform(on: stdinQueue) { [self] in
            let fd = descriptors.withLock { $0.stdin }
            if fd < 0 { return EBADF }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure {
            throw ProcessError(command: command, reason: "writing stdin: \(String(cString: strerror(failure)))")
        }
    }

    /// Closes stdin: the process reads end-of-file after what was written.
    public func closeStdin() async {
        await perform(on: stdinQueue) { [self] in
            descriptors.withLock { d in
                if d.stdin >= 0 { close(d.stdin); d.stdin = -1 }
            }
        }
    }

    /// The next chunk of stdout, or nil at end of file.
    public func readStdout(maximum: Int = 65_536) async -> [UInt8]? {
        await read(stdout: true, on: stdoutQueue, maximum: maximum)
    }

    /// The next chunk of stderr, or nil at end of file.
    public func readStderr(maximum: Int = 65_536) async -> [UInt8]? {
        await read(stdout: false, on: stderrQueue, maximum: maximum)
    }

    /// Waits for the process to end: its exit code, or 128 + signal number (as shells report it).
    public func wait() async -> Int32 {
        if let code = exitCode.withLock({ $0 }) { return code }
        return await perform(on: waitQueue) { [self] in
            if let code = exitCode.withLock({ $0 }) { return code }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exitCode.withLock { $0 = code }
            return code
        }
    }

    /// Sends a signal (SIGKILL by default) unless the process was already reaped.
    public func terminate(signal: Int32 = SIGKILL) {
        exitCode.withLock { code in
            // Holding the lock keeps `wait` from reaping (and the pid from being reused) meanwhile.
            if code == nil { _ = kill(pid, signal) }
        }
    }

    private func read(stdout: Bool, on queue: DispatchQueue, maximum: Int) async -> [UInt8]? {
        await perform(on: queue) { [self] in
            let fd = descriptors.withLock { stdout ? $0.stdout : $0.stderr }
            if fd < 0 { return nil }
            var buffer = [UInt8](repeating: 0, count: max(1, maximum))
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    close(fd)
                    descriptors.withLock { d in if stdout { d.stdout = -1 } else { d.stderr = -1 } }
                    return nil
                }
                buffer.removeSubrange(n...)
                return buffer
            }
        }
    }

    private func perform<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// `KEY=value` strings: this process's environment (when inherited) with `extra` on top.
    static func environment(inherit: Bool, extra: [String: String]) -> [String] {
        var env: [String: String] = [:]
        if inherit {
            var p = environ
            while let entry = p.pointee {
                let s = String(cString: entry)
                if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
                p += 1
            }
        }
        for (k, v) in extra { env[k] = v }
        return env.map { "\($0.key)=\($0.value)" }
    }
}
