import Glibc
import Platform
import Testing

/// HeapTrim gives freed heap pages back to the kernel.
@Suite struct HeapTrimTests {
    /// How many of the whole pages inside `[start, start + length)` are resident.
    static func residentPages(_ start: UnsafeMutableRawPointer, _ length: Int) -> (resident: Int, total: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + length) / page * page
        guard end > first else { return (0, 0) }
        let count = (end - first) / page
        var vector = [UInt8](repeating: 0, count: count)
        guard mincore(UnsafeMutableRawPointer(bitPattern: first), end - first, &vector) == 0 else { return (0, 0) }
        return (vector.filter { $0 & 1 == 1 }.count, count)
    }

    @Test func freedPagesGoBackToTheKernel() async throws {
        // 64 MB in 16 KB blocks (below the mmap threshold, so they live in the heap), then a
        // block above them, so that free() cannot shrink the heap from its top by itself:
        // the freed pages stay resident until a trim. Whether they came back is asked of
        // the kernel page by page (mincore) for exactly these blocks, so tests running
        // beside this one cannot blur the figure as whole-process RSS would.
        let size = 16 << 10
        let blocks = (0..<4096).map { _ -> UnsafeMutableRawPointer in
            let p = malloc(size)!
            memset(p, 1, size)
            return p
        }
        let sentinel = malloc(64)
        defer { free(sentinel) }
        let addresses = blocks.map { Int(bitPattern: $0) }
        for p in blocks { free(p) }
        func resident() -> (resident: Int, total: Int) {
            // Skip each block's first 64 bytes: glibc keeps its bookkeeping there.
            addresses.reduce(into: (resident: 0, total: 0)) { sum, a in
                let r = Self.residentPages(UnsafeMutableRawPointer(bitPattern: a + 64)!, size - 128)
                sum.resident += r.resident
                sum.total += r.total
            }
        }
        let before = resident()
        HeapTrim.soon(after: .milliseconds(10))
        let deadline = ContinuousClock.now + .seconds(10)
        while HeapTrim.isPending, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))  // the trim runs right after the flag drops
        let after = resident()
        // Before the trim the freed pages are resident; after it most are not (some may
        // have been handed out again to a test running beside this one).
        #expect(before.total > 10_000)
        #expect(before.resident * 10 > before.total * 9, "resident before the trim: \(before.resident) of \(before.total) pages")
        #expect(after.resident * 2 < after.total, "resident after the trim: \(after.resident) of \(after.total) pages (before: \(before.resident))")
    }
}
