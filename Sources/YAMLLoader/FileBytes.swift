import Glibc

/// Whole-file reads with Glibc (no Foundation in the binary).
enum FileBytes {
    /// The file's bytes, or a `YAMLError` at 1:1 saying why it cannot be read.
    static func read(_ path: String) throws(YAMLError) -> [UInt8] {
        func failure(_ what: String) -> YAMLError {
            let reason = String(cString: strerror(errno))
            return YAMLError(file: path, position: SourcePosition(line: 1, column: 1), message: "cannot \(what) the file: \(reason)")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
