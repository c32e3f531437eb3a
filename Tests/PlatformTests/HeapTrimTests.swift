import Glibc
import Platform
import Testing

/// HeapTrim gives freed heap pages back to the kernel.
@Suite struct HeapTrimTests {
    static func residentBytes() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var size = 0, resident = 0
        _ = withUnsafeMutablePointer(to: &size) { s in withUnsafeMutablePointer(to: &resident) { r in
            withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        } }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func freedPagesGoBackToTheKernel() async throws {
        // 64 MB in small blocks, then a block above them, so that free() cannot shrink the
        // heap from its top by itself: the freed pages stay resident until a trim.
        let blocks = (0..<200_000).map { _ -> UnsafeMutableRawPointer in
            let p = malloc(320)!
            memset(p, 1, 320)
            return p
        }
        let sentinel = malloc(64)
        defer { free(sentinel) }
        for p in blocks { free(p) }
        let before = Self.residentBytes()
        HeapTrim.soon(after: .milliseconds(10))
        let deadline = ContinuousClock.now + .seconds(10)
        while HeapTrim.isPending, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))  // the trim runs right after the flag drops
        let after = Self.residentBytes()
        // Without the trim nothing comes back (the block above pins the heap); with it, most
        // of the 64 MB does, less what other tests running beside it took meanwhile.
        #expect(before - after > 8 << 20, "resident before \(before >> 20) MB, after \(after >> 20) MB")
    }
}
