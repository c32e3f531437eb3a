import Synchronization

/// Where a command in a pod reads its stdin from, one chunk at a time.
///
/// `read` returns nil at end of input — for exec over WebSocket, when the client half-closes
/// stdin (`v5.channel.k8s.io`) — and waits while nothing is available, which is what gives
/// a stream its back-pressure.
public protocol PodInput: Sendable {
    func read() async throws -> [UInt8]?
}

/// Where a command in a pod writes stdout or stderr. `write` returns once the bytes are
/// accepted, so a slow reader slows the command down.
public protocol PodOutput: Sendable {
    func write(_ bytes: [UInt8]) async throws
}

/// No stdin: the command reads end of file at once.
public struct NoPodInput: PodInput {
    public init() {}
    public func read() async throws -> [UInt8]? { nil }
}

/// Fixed bytes as stdin, handed out in chunks.
public final class BytesPodInput: PodInput {
    private let remaining: Mutex<ArraySlice<UInt8>>
    private let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = 65_536) {
        remaining = Mutex(bytes[...])
        self.chunkSize = max(1, chunkSize)
    }

    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public func read() async throws -> [UInt8]? {
        remaining.withLock { rest in
            if rest.isEmpty { return nil }
            let chunk = Array(rest.prefix(chunkSize))
            rest = rest.dropFirst(chunk.count)
            return chunk
        }
    }
}

/// Output kept in memory up to a limit: the first `limit` bytes are kept, the rest only
/// counted (a command's output must not grow memory without bound).
public final class CollectedPodOutput: PodOutput {
    private let state = Mutex<(bytes: [UInt8], total: Int)>(([], 0))
    public let limit: Int

    public init(limit: Int = 1 << 20) { self.limit = max(0, limit) }

    public func write(_ bytes: [UInt8]) async throws { append(bytes) }

    public func append(_ bytes: [UInt8]) {
        state.withLock { s in
            s.total += bytes.count
            if s.bytes.count < limit { s.bytes.append(contentsOf: bytes.prefix(limit - s.bytes.count)) }
        }
    }

    /// The kept bytes.
    public var bytes: [UInt8] { state.withLock { $0.bytes } }
    /// The kept bytes as text (invalid UTF-8 repaired).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    /// How many bytes were written in all, kept or not.
    public var totalCount: Int { state.withLock { $0.total } }
}

/// Output that is thrown away.
public struct DiscardedPodOutput: PodOutput {
    public init() {}
    public func write(_ bytes: [UInt8]) async throws {}
}

extension PodInput {
    /// Reads to end of input, keeping at most `limit` bytes; returns them and the total read.
    public func readAll(limit: Int = 1 << 20) async throws -> (bytes: [UInt8], total: Int) {
        var kept: [UInt8] = []
        var total = 0
        while let chunk = try await read() {
            total += chunk.count
            if kept.count < limit { kept.append(contentsOf: chunk.prefix(limit - kept.count)) }
        }
        return (kept, total)
    }
}
