import JSONValue
import Synchronization

/// A place for one worker. The worker lives inside the `Mutex` and is only used inside
/// `withLock`, so the `jq_state` and every `jv` it holds are reachable from one task at a
/// time; what goes in and out are `JSON` values.
final class WorkerSlot: Sendable {
    private let worker: Mutex<JQWorker?>
    /// Set once a pool has taken this slot (a program's spare serves one pool).
    private let claimed = Atomic<Bool>(false)

    init(worker: consuming sending JQWorker?) {
        self.worker = Mutex(worker)
    }

    /// True for the first caller only.
    func claim() -> Bool {
        claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Runs the program on `request` (`[index, input, [variables]]`), compiling it first if
    /// this slot has no worker yet.
    func run(_ request: JSON, source: ProgramSource, firstOnly: Bool) throws(JQEvaluationError) -> [JSON] {
        try worker.withLock { (worker: inout sending JQWorker?) throws(JQEvaluationError) -> [JSON] in
            if worker == nil {
                do throws(JQWorker.CompileFailure) {
                    worker = try JQWorker(source: source.text)
                } catch {
                    throw JQEvaluationError(message: "the jq program could not be compiled again: \(error.messages.joined(separator: "; "))")
                }
            }
            defer { if worker?.isSpoiled == true { worker = nil } }
            guard let compiled = worker else { return [] }
            return try compiled.run(request, firstOnly: firstOnly)
        }
    }
}
