import JSONValue
import Kube
import Platform
import Reactor
import Spec
import Synchronization

/// An operator run whose events come from its caller instead of watches: what `yopf
/// test` drives on its in-process cluster and virtual clock. Everything after the event
/// is the runtime's own: the scheduler, the processor, the plans.
///
/// The caller delivers each change of the watched kind (`deliver`) and of the owned kinds
/// (`deliverOwned`), asks whether anything can still happen before the clock moves
/// (`isQuiescent`), and may kill the run as a SIGKILL would (`kill`): passes in flight are
/// abandoned where they are, and a new run starts with no memory of this one.
public final class FedRun: Sendable {
    public let info: ResourceInfo
    /// The kinds of `spec.owns`, in that order.
    public let owned: [ResourceInfo]
    let runner: OperatorRunner
    let active: OperatorRunner.Active
    private let known = Mutex<Set<ObjectKey>>([])
    private let listedWatches = Mutex<Set<Int>>([])

    init(runner: OperatorRunner, info: ResourceInfo, owned: [ResourceInfo], active: OperatorRunner.Active) {
        self.runner = runner
        self.info = info
        self.owned = owned
        self.active = active
    }

    /// A change of the watched resource (an object that exists, or one that went).
    public func deliver(_ event: WatcherEvent) {
        known.withLock { k in runner.deliver(event, known: &k, active: active) }
    }

    /// A change of the owned kind at `index` of `owned`.
    public func deliverOwned(_ event: WatcherEvent, index: Int) {
        // One "watch" per owned kind; its first list only records what exists.
        runner.deliverOwned(event, watched: owned[index], watchNumber: 1000 + index, ownedIndex: index, active: active)
    }

    /// Nothing can happen until the clock moves or the caller acts: no pass is ready or
    /// running except those asleep on the clock, and no Event waits to be posted.
    public func isQuiescent(parkedOnClock: Int) -> Bool {
        active.events.unposted == 0 && active.scheduler.isQuiescent(parkedOnClock: parkedOnClock)
    }

    /// Passes handed out so far (a scenario's activity counter).
    public var passes: Int { active.scheduler.dispatched }

    /// Stops at once, as a killed process would: no new pass, running ones cancelled
    /// wherever they are (their progress in status says where a new run continues).
    public func kill() async {
        active.processor.stop()
        active.scheduler.shutdown()
        active.scheduler.cancelRunning()
        await active.scheduler.drain()
        active.events.stop()
    }
}

extension OperatorRunner {
    /// Starts a run fed by the caller (`FedRun`); the caller then lists what exists and
    /// delivers it, as a watch's first list would.
    public func startFed() async throws -> FedRun {
        let info = try await resolveResource()
        let owned = try await resolveOwned()
        let active = makeActive(info: info)
        active.scheduler.start()
        return FedRun(runner: self, info: info, owned: owned, active: active)
    }
}
