import Platform

/// Liveness: a task that beats every second. When the cooperative thread pool is
/// starved or deadlocked, beats stop and `/healthz` fails, so Kubernetes restarts the pod.
public final class Heartbeat: Sendable {
    private let last = Locked<ContinuousClock.Instant>(.now)
    private let task = Locked<Task<Void, Never>?>(nil)
    /// No beat for this long means stuck.
    public let tolerance: Duration

    public init(tolerance: Duration = .seconds(20)) {
        self.tolerance = tolerance
        let last = self.last
        task.set(Task {
            while !Task.isCancelled {
                last.set(.now)
                try? await Task.sleep(for: .seconds(1))
            }
        })
    }

    public var isAlive: Bool { ContinuousClock.now - last.value < tolerance }

    public func stop() { task.value?.cancel() }
}
