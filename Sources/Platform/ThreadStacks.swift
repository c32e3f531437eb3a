import Glibc

/// Room on every thread's stack for the one recursion left over deep JSON: releasing a
/// value nested thousands of levels deep (the Swift runtime frees an enum's arrays and
/// objects level by level). Everything else that walks a `JSON` keeps its own stack.
///
/// glibc gives a new thread `RLIMIT_STACK` (8 MiB by default), or 2 MiB when the limit is
/// unlimited; the Swift task pool, libcurl's and NIO's threads take that default. Releasing
/// a 10,000-level value needs about 2–3 MiB, so the entry point raises the default for
/// threads made afterwards to at least `minimumBytes` (address space only: pages are used
/// as they are touched). Called by `Entry.main` before any thread starts; not by tests.
public enum ThreadStacks {
    public static let minimumBytes = 8 << 20

    /// The default stack size of new threads, raised to `minimumBytes` if smaller.
    /// Returns the size in force afterwards (0 when glibc's functions are missing).
    @discardableResult
    public static func ensureMinimumDefault(_ minimum: Int = minimumBytes) -> Int {
        // GNU extensions Swift's Glibc module does not import; looked up by name.
        typealias AttrFunction = @convention(c) (UnsafeMutablePointer<pthread_attr_t>) -> Int32
        typealias SetFunction = @convention(c) (UnsafePointer<pthread_attr_t>) -> Int32
        guard let getSymbol = dlsym(nil, "pthread_getattr_default_np"),
            let setSymbol = dlsym(nil, "pthread_setattr_default_np")
        else { return 0 }
        let getDefault = unsafeBitCast(getSymbol, to: AttrFunction.self)
        let setDefault = unsafeBitCast(setSymbol, to: SetFunction.self)
        var attributes = pthread_attr_t()
        guard getDefault(&attributes) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attributes) }
        var size = 0
        pthread_attr_getstacksize(&attributes, &size)
        if size >= minimum { return size }
        guard pthread_attr_setstacksize(&attributes, minimum) == 0, setDefault(&attributes) == 0 else { return size }
        return minimum
    }

    /// The stack size of the calling thread (0 when unknown).
    public static func currentThreadStackBytes() -> Int {
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(nil, "pthread_getattr_np") else { return 0 }
        var attributes = pthread_attr_t()
        guard unsafeBitCast(symbol, to: GetAttr.self)(pthread_self(), &attributes) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attributes) }
        var size = 0
        pthread_attr_getstacksize(&attributes, &size)
        return size
    }
}
