import CMalloc
import Glibc
import Synchronization

/// Gives the heap memory freed after a burst of work back to the kernel.
///
/// glibc keeps freed memory in its arenas for reuse: after ten thousand objects were
/// handled, an idle operator would go on holding the peak. `malloc_trim(0)` returns the
/// free pages (measured: about 1.8 MB of a 9 MB heap at rest after 1,000 objects). The
/// scheduler calls `soon()` when its last worker retires; calls within the delay are one
/// trim, so a busy operator pays nothing and an idle one trims at most once a second.
/// It does not shrink what is in use.
public enum HeapTrim {
    private static let pending = Atomic<Bool>(false)

    /// Trims after `delay`, unless a trim is already waiting.
    public static func soon(after delay: Duration = .seconds(1)) {
        guard pending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        Task.detached(priority: .background) {
            try? await Task.sleep(for: delay)
            pending.store(false, ordering: .releasing)
            _ = malloc_trim(0)
        }
    }

    /// Whether a trim is waiting (for tests).
    public static var isPending: Bool { pending.load(ordering: .acquiring) }
}
