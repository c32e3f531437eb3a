@testable import DevCluster
import Kube
import Synchronization
import Testing

/// The bounded stdin hand-over: reads from the socket are held while the command lags and
/// resumed once it has caught up.
@Suite struct StdinPipeTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func bump() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test func holdsReadsWhenFullAndResumesWhenDrained() async throws {
        let resumed = Counter()
        let pipe = StdinPipe(limit: 10, resume: { resumed.bump() })
        #expect(!pipe.holdsRead())
        pipe.push([UInt8](repeating: 1, count: 6))
        #expect(!pipe.holdsRead())
        pipe.push([UInt8](repeating: 2, count: 6))
        #expect(pipe.holdsRead())
        #expect(try await pipe.read() == [UInt8](repeating: 1, count: 6))
        // 6 bytes still wait: not below half the limit, the read stays held.
        #expect(resumed.count == 0)
        #expect(try await pipe.read() == [UInt8](repeating: 2, count: 6))
        #expect(resumed.count == 1)
        pipe.finish()
        #expect(try await pipe.read() == nil)
    }

    @Test func aWaitingReaderGetsBytesAndTheEnd() async throws {
        let pipe = StdinPipe(limit: 10, resume: {})
        async let first = pipe.read()
        async let rest: Void = {
            // Whichever comes first, the reader sees "ab" then the end.
            pipe.push(Array("ab".utf8))
        }()
        _ = await rest
        #expect(try await first == Array("ab".utf8))
        pipe.finish()
        #expect(try await pipe.read() == nil)
        pipe.push([1])  // after the end: dropped
        #expect(try await pipe.read() == nil)
    }

    @Test func discardDropsInputAndLetsTheConnectionRead() async throws {
        let resumed = Counter()
        let pipe = StdinPipe(limit: 4, resume: { resumed.bump() })
        pipe.push([1, 2, 3, 4, 5])
        #expect(pipe.holdsRead())
        pipe.discard()
        #expect(resumed.count == 1)
        pipe.push([6, 7, 8, 9, 10])
        #expect(!pipe.holdsRead())
    }

    @Test func aBrokenSessionFailsTheReaderAfterWhatArrived() async throws {
        let pipe = StdinPipe(limit: 100, resume: {})
        pipe.push([1])
        pipe.fail(PodExecError("gone"))
        #expect(try await pipe.read() == [1])
        await #expect(throws: PodExecError("gone")) { _ = try await pipe.read() }
    }
}
