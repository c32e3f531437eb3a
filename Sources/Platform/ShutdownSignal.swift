import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for SIGTERM or SIGINT, so a long-running command can shut down cleanly and
/// exit 0 instead of dying on the default signal action. Once the first has arrived,
/// the default action is back: a second signal ends the process at once (what someone
/// pressing Ctrl-C twice means).
public enum ShutdownSignal {
    /// Returns the signal number once one of `signals` arrives. Their default action is
    /// off until then.
    public static func wait(for signals: [Int32] = [SIGTERM, SIGINT]) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let queue = DispatchQueue(label: "yopf.shutdown-signal")
            // Sources and the one-shot flag live on `queue` only, so no lock is needed.
            queue.async {
                var sources: [any DispatchSourceSignal] = []
                var fired = false
                for number in signals {
                    signal(number, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                    source.setEventHandler {
                        guard !fired else { return }
                        fired = true
                        for s in sources { s.cancel() }
                        for n in signals { signal(n, SIG_DFL) }
                        continuation.resume(returning: number)
                    }
                    source.resume()
                    sources.append(source)
                }
            }
        }
    }
}
