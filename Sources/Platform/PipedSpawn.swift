#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Held from creating a child's pipes until it is spawned. Between `pipe` and `fcntl`
/// a descriptor is inheritable, and a child spawned by another thread in that window
/// would hold our pipe's write end open, so we would wait for an EOF that never comes.
private let spawning = Mutex(())

/// A child started with stdin, stdout and stderr on pipes; the parent's ends of them.
/// The one place that spawns: `ChildProcess` (run to completion) and `StreamingProcess`
/// (streamed) both start their children here.
struct PipedChild {
    let pid: pid_t
    /// Write end of the child's stdin.
    let stdin: Int32
    /// Read ends of the child's stdout and stderr.
    let stdout: Int32
    let stderr: Int32

    /// Starts `argv` (no shell; `argv[0]` looked up in PATH) with exactly `environment`
    /// ("NAME=value" strings). Every descriptor is closed again when it fails.
    static func spawn(_ argv: [String], environment: [String]) throws(ProcessError) -> PipedChild {
        try spawning.withLock { _ throws(ProcessError) in try spawnLocked(argv, environment: environment) }
    }

    private static func spawnLocked(_ argv: [String], environment: [String]) throws(ProcessError) -> PipedChild {
        let program = argv.first ?? ""
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard makePipe(&inPipe) else { throw ProcessError(command: program, reason: String(cString: strerror(errno))) }
        guard makePipe(&outPipe) else {
            close(inPipe[0]); close(inPipe[1])
            throw ProcessError(command: program, reason: String(cString: strerror(errno)))
        }
        guard makePipe(&errPipe) else {
            for fd in inPipe + outPipe { close(fd) }
            throw ProcessError(command: program, reason: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var child: pid_t = 0
        let rc = withCStrings(argv) { cargv in
            withCStrings(environment) { cenv in posix_spawnp(&child, program, &actions, nil, cargv, cenv) }
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        if rc != 0 {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw ProcessError(command: program, reason: String(cString: strerror(rc)))
        }
        return PipedChild(pid: child, stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0])
    }
}

/// A pipe whose ends do not leak into other children (close-on-exec; pipe2 would close the
/// window between pipe and fcntl, but Glibc does not export it to Swift).
func makePipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return true
}

/// Calls `body` with a NULL-terminated C array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) }
    defer { for p in pointers { free(p) } }
    return (pointers + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
}
