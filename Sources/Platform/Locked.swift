import Synchronization

/// A value shared between tasks behind a lock; a class, so closures can hold it.
public final class Locked<T: Sendable>: Sendable {
    private let storage: Mutex<T>

    public init(_ value: T) { storage = Mutex(value) }

    public var value: T { storage.withLock { $0 } }

    public func set(_ value: T) { storage.withLock { $0 = value } }

    /// Changes the value in place and returns what `body` returns.
    public func update<R: Sendable>(_ body: (inout T) -> R) -> R { storage.withLock { body(&$0) } }
}
