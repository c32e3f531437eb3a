import Synchronization

/// The bounded hand-over of an exec session's stdin: the connection's event loop pushes
/// what arrives on channel 0, the command pulls it chunk by chunk.
///
/// Nothing is buffered whole: once `limit` bytes wait unread, the session stops reading
/// from the socket (`holdsRead`), so TCP flow control slows the client down; when the
/// command has taken enough, `resume` asks the channel to read again.
final class StdinPipe: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        /// The session held back a read because the buffer was full.
        var readHeld = false
        /// The command ended: whatever still arrives is dropped.
        var discarding = false
    }

    let limit: Int
    private let resume: @Sendable () -> Void
    private let state = Mutex(State())

    /// - Parameter resume: asks the connection to read again (called from any thread).
    init(limit: Int = 256 << 10, resume: @escaping @Sendable () -> Void) {
        self.limit = max(1, limit)
        self.resume = resume
    }

    /// Bytes from the client; a waiting reader gets them at once.
    func push(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            if s.finished || s.discarding { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.chunks.append(bytes)
            s.buffered += bytes.count
            return nil
        }
        waiter?.resume(returning: bytes)
    }

    /// The client closed stdin (v5 `[255, 0]`): the reader gets end of input after what is buffered.
    func finish() { end(nil) }

    /// The session broke: the reader gets `error` after what is buffered.
    func fail(_ error: any Error) { end(error) }

    private func end(_ error: (any Error)?) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !s.finished else { return nil }
            s.finished = true
            s.failure = error
            defer { s.waiter = nil }
            return s.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The command is done with stdin: drop what is buffered and what still comes, and let
    /// the connection read again (it must, to see the client's close frame).
    func discard() {
        let held = state.withLock { s -> Bool in
            s.discarding = true
            s.chunks = []
            s.head = 0
            s.buffered = 0
            defer { s.readHeld = false }
            return s.readHeld
        }
        if held { resume() }
    }

    /// Asked by the session before each socket read: true when the buffer is full, in which
    /// case the read waits until the command catches up.
    func holdsRead() -> Bool {
        state.withLock { s in
            guard s.buffered >= limit else { return false }
            s.readHeld = true
            return true
        }
    }

    /// The next chunk, nil at the end of input; waits while nothing is buffered.
    func read() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8]?, any Error>) in
                let (result, wakeReader): (Result<[UInt8]?, any Error>?, Bool) = state.withLock { s in
                    if Task.isCancelled { return (.failure(CancellationError()), false) }
                    if s.head < s.chunks.count {
                        let chunk = s.chunks[s.head]
                        s.head += 1
                        s.buffered -= chunk.count
                        if s.head == s.chunks.count || s.head > 64 {
                            s.chunks.removeFirst(s.head)
                            s.head = 0
                        }
                        let wake = s.readHeld && s.buffered < limit / 2
                        if wake { s.readHeld = false }
                        return (.success(chunk), wake)
                    }
                    if s.finished {
                        if let f = s.failure { return (.failure(f), false) }
                        return (.success(nil), false)
                    }
                    s.waiter = c
                    // Nothing buffered: a held read (if any) must go on.
                    let wake = s.readHeld
                    s.readHeld = false
                    return (nil, wake)
                }
                if wakeReader { resume() }
                if let result { c.resume(with: result) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
