import Glibc
import Synchronization
import Testing

/// Runs `work` in a task of its own and waits at most `seconds` for it; a hang fails the
/// test (the spinning task is left behind) instead of blocking the whole suite.
func deadline<T: Sendable>(seconds: Int = 30, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.start(continuation)
        Task.detached { race.finish(Result { try work() }) }
        race.timer = Task.detached {
            try await Task.sleep(for: .seconds(seconds))
            race.finish(.failure(DeadlineExceeded(seconds: seconds)))
        }
    }
}

/// No answer within the deadline: the work hangs (thrown to the test, which fails).
struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Int
    var description: String { "no answer within \(seconds) s: it hangs" }
}

/// The first of a result and a timeout to arrive resumes the waiting test.
private final class Race<T: Sendable>: Sendable {
    private let pending = Mutex<CheckedContinuation<T, any Error>?>(nil)
    private let timerTask = Mutex<Task<Void, any Error>?>(nil)

    var timer: Task<Void, any Error>? {
        get { timerTask.withLock { $0 } }
        set { timerTask.withLock { $0 = newValue } }
    }

    func start(_ continuation: CheckedContinuation<T, any Error>) { pending.withLock { $0 = continuation } }

    /// True when this call resumed the waiter.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = pending.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        if case .success = result { timer?.cancel() }
        return true
    }
}

/// A small seeded generator (SplitMix64), so that random cases are the same on every run.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}

/// The text of a file, or nil.
func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The shipped operators, next to this test target.
enum Shipped {
    static let handlers: String = Fixtures.folder + "/../../../handlers"
    static func folder(_ name: String) -> String { handlers + "/" + name }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
