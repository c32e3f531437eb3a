import Glibc
import Synchronization

/// The outcome of a finished local command.
public struct ProcessResult: Sendable, Equatable {
    /// The exit code, or 128 + signal number when a signal ended it (as shells report it).
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var timedOut: Bool
}

public struct ProcessError: Error, Sendable, CustomStringConvertible {
    public var command: String
    public var reason: String
    public var description: String { "cannot run \(command): \(reason)" }
}

/// Runs a local command to completion: argv (no shell), extra environment, bytes on stdin,
/// both outputs captured (each capped at `outputLimit`, the rest counted but dropped).
///
/// Runs on a thread of its own: waiting on pipes blocks, and blocking a Swift concurrency
/// thread would starve the cooperative pool.
public enum ChildProcess {
    public static func run(
        _ argv: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true,
        stdin: [UInt8] = [], timeoutMilliseconds: Int? = nil, outputLimit: Int = 1 << 20,
    ) async throws -> ProcessResult {
        guard let program = argv.first, !program.isEmpty else {
            throw ProcessError(command: "(empty)", reason: "no command given")
        }
        return try await withCheckedThrowingContinuation { continuation in
            let job = Job(argv: argv, environment: environment, inherit: inheritEnvironment, stdin: stdin,
                          timeout: timeoutMilliseconds, limit: outputLimit) { result in
                continuation.resume(with: result)
            }
            let box = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                job.finish(job.execute())
                return nil
            }, box)
            if rc != 0 {
                Unmanaged<Job>.fromOpaque(box).release()
                continuation.resume(throwing: ProcessError(command: program, reason: "cannot start a thread (\(rc))"))
            } else {
                pthread_detach(thread)
            }
        }
    }

    // Everything a run needs, handed whole to its thread; nothing in it is shared.
    private final class Job: Sendable {
        let argv: [String]
        let environment: [String: String]
        let inherit: Bool
        let stdin: [UInt8]
        let timeout: Int?
        let limit: Int
        let done: @Sendable (Result<ProcessResult, any Error>) -> Void

        init(argv: [String], environment: [String: String], inherit: Bool, stdin: [UInt8], timeout: Int?, limit: Int,
             done: @escaping @Sendable (Result<ProcessResult, any Error>) -> Void) {
            self.argv = argv
            self.environment = environment
            self.inherit = inherit
            self.stdin = stdin
            self.timeout = timeout
            self.limit = limit
            self.done = done
        }

        func finish(_ r: Result<ProcessResult, any Error>) { done(r) }

        func execute() -> Result<ProcessResult, any Error> {
            let child: PipedChild
            do {
                child = try PipedChild.spawn(argv, environment: StreamingProcess.environment(inherit: inherit, extra: environment))
            } catch {
                return .failure(error)
            }
            let pid = child.pid

            // Feed stdin and drain both outputs with poll, so no pipe can fill up and deadlock.
            var stdout: [UInt8] = [], stderr: [UInt8] = []
            var inOffset = 0
            var inFD: Int32 = child.stdin
            if stdin.isEmpty { close(inFD); inFD = -1 } else { _ = fcntl(inFD, F_SETFL, O_NONBLOCK) }
            var outFD = child.stdout, errFD = child.stderr
            let start = monotonicMilliseconds()
            var timedOut = false
            var buffer = [UInt8](repeating: 0, count: 65536)
            while outFD >= 0 || errFD >= 0 {
                var fds: [pollfd] = []
                if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
                if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
                if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
                var wait: Int32 = 1000
                if let timeout {
                    let left = timeout - (monotonicMilliseconds() - start)
                    if left <= 0 { timedOut = true; kill(pid, SIGKILL); break }
                    wait = Int32(min(left, 1000))
                }
                let n = poll(&fds, nfds_t(fds.count), wait)
                if n < 0 { if errno == EINTR { continue } else { break } }
                for f in fds where f.revents != 0 {
                    if f.fd == inFD {
                        let written = stdin.withUnsafeBytes { Glibc.write(inFD, $0.baseAddress! + inOffset, stdin.count - inOffset) }
                        if written > 0 { inOffset += written }
                        if written < 0 && errno != EAGAIN || inOffset >= stdin.count { close(inFD); inFD = -1 }
                    } else {
                        let r = buffer.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, 65536) }
                        if r <= 0 {
                            if r < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                            close(f.fd)
                            if f.fd == outFD { outFD = -1 } else { errFD = -1 }
                        } else if f.fd == outFD {
                            if stdout.count < limit { stdout.append(contentsOf: buffer[0..<min(r, limit - stdout.count)]) }
                        } else {
                            if stderr.count < limit { stderr.append(contentsOf: buffer[0..<min(r, limit - stderr.count)]) }
                        }
                    }
                }
            }
            for fd in [inFD, outFD, errFD] where fd >= 0 { close(fd) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let code: Int32
            if status & 0x7f == 0 { code = (status >> 8) & 0xff } else { code = 128 + (status & 0x7f) }
            return .success(ProcessResult(exitCode: code, stdout: stdout, stderr: stderr, timedOut: timedOut))
        }
    }

    static func monotonicMilliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}
