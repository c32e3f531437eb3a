#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole lines to the terminal without buffering surprises: `print` buffers stdout when
/// it is not a terminal (a pipe, a log file), so a hint printed at start-up would show
/// only at exit.
public enum Output {
    /// A line on stderr, written at once.
    public static func error(_ line: String) {
        write(fd: 2, line)
    }

    /// A line on stdout, flushed at once.
    public static func line(_ line: String) {
        fflush(nil)  // whatever `print` buffered comes first
        write(fd: 1, line)
    }

    private static func write(fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            #else
            let n = bytes.withUnsafeBytes { Darwin.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            #endif
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
