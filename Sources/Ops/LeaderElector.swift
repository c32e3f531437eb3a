import JSONValue
import Kube
import Logging
import Platform

/// Lease-based leader election with client-go's semantics: only the holder of a
/// `coordination.k8s.io/v1` Lease handles objects; it renews every retry period and
/// stops leading when it could not renew for `renewDeadline` — before the lease (of
/// `leaseDuration`) can expire and another replica take over. Expiry is judged by this
/// process's own clock from when it last saw the lease change, so clock skew between
/// nodes does not matter. Releasing the lease on shutdown hands over at once.
public final class LeaderElector: Sendable {
    public struct Settings: Sendable {
        public var name: String
        public var namespace: String
        public var identity: String
        public var leaseDuration: Duration = .seconds(15)
        public var renewDeadline: Duration = .seconds(10)
        public var retryPeriod: Duration = .seconds(2)

        public init(name: String, namespace: String, identity: String) {
            self.name = name
            self.namespace = namespace
            self.identity = identity
        }
    }

    static let leases = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")

    public let settings: Settings
    let api: any KubeAPI
    let logger: Logger
    private let leading = Locked(false)
    /// What we last saw of the lease and when (our clock).
    private let observed = Locked<(record: JSON?, at: ContinuousClock.Instant)>((nil, .now))

    public init(api: any KubeAPI, settings: Settings, logger: Logger) {
        self.api = api
        self.settings = settings
        self.logger = logger
    }

    public var isLeader: Bool { leading.value }

    var ref: ObjectRef { ObjectRef(Self.leases, namespace: settings.namespace, name: settings.name) }

    /// Campaigns until cancelled. `lead` runs while this process leads and is cancelled
    /// when leadership is lost; then the process campaigns again. `onChange` reports
    /// leadership (for `leader_election_master_status`).
    public func run(onChange: @escaping @Sendable (Bool) -> Void = { _ in }, lead: @escaping @Sendable () async -> Void) async {
        onChange(false)
        while !Task.isCancelled {
            // Campaign.
            while !Task.isCancelled {
                if (try? await tryAcquireOrRenew()) == true { break }
                try? await Task.sleep(for: settings.retryPeriod)
            }
            if Task.isCancelled { break }
            leading.set(true)
            onChange(true)
            logger.info("became the leader", metadata: ["lease": .string("\(settings.namespace)/\(settings.name)"), "identity": .string(settings.identity)])
            let work = Task { await lead() }
            // Renew; give up when renewing fails for longer than the renew deadline.
            var lastRenew = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.retryPeriod)
                if Task.isCancelled { break }
                if (try? await tryAcquireOrRenew()) == true {
                    lastRenew = .now
                } else if ContinuousClock.now - lastRenew > settings.renewDeadline {
                    logger.error("could not renew the lease in time: stopping work", metadata: ["lease": .string(settings.name)])
                    break
                }
            }
            work.cancel()
            await work.value
            leading.set(false)
            onChange(false)
            if Task.isCancelled { break }
        }
    }

    /// Gives the lease up (on SIGTERM) so that a standby takes over without waiting.
    public func release() async {
        // Not guarded by `isLeader`: leadership ends when the work is cancelled, just
        // before this is called; the holder check below is what matters.
        do {
            var lease = try await api.get(ref)
            guard lease["spec"]?["holderIdentity"]?.string == settings.identity else { return }
            lease.set("", at: ["spec", "holderIdentity"])
            lease.set(1, at: ["spec", "leaseDurationSeconds"])
            lease.set(.string(Self.now()), at: ["spec", "renewTime"])
            _ = try await api.update(ref, subresource: nil, body: lease, options: WriteOptions(fieldManager: "yopf"))
            logger.info("released the lease", metadata: ["lease": .string(settings.name)])
        } catch {
            logger.warning("could not release the lease", metadata: ["error": .string("\(error)")])
        }
        leading.set(false)
    }

    /// One round of client-go's tryAcquireOrRenew. True when we hold the lease now.
    func tryAcquireOrRenew() async throws -> Bool {
        let now = Self.now()
        let seconds = Int(settings.leaseDuration.components.seconds)
        let lease: JSON
        do {
            lease = try await api.get(ref)
        } catch let e as KubeError where e.code == 404 {
            let body: JSON = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(settings.name), "namespace": .string(settings.namespace)],
                "spec": [
                    "holderIdentity": .string(settings.identity), "leaseDurationSeconds": .int(seconds),
                    "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0,
                ],
            ]
            do {
                let created = try await api.create(Self.leases, namespace: settings.namespace, body: body, options: WriteOptions(fieldManager: "yopf"))
                observed.set((created["spec"], .now))
                return true
            } catch let e as KubeError where e.code == 409 {
                return false
            }
        }
        let spec = lease["spec"] ?? [:]
        if observed.value.record != spec { observed.set((spec, .now)) }
        let holder = spec["holderIdentity"]?.string ?? ""
        let duration = Duration.seconds(spec["leaseDurationSeconds"]?.int ?? seconds)
        let ours = holder == settings.identity
        if !holder.isEmpty && !ours && ContinuousClock.now - observed.value.at < duration {
            return false  // held by another, not expired
        }
        var updated = lease
        updated.set(.string(settings.identity), at: ["spec", "holderIdentity"])
        updated.set(.int(seconds), at: ["spec", "leaseDurationSeconds"])
        updated.set(.string(now), at: ["spec", "renewTime"])
        if !ours {
            updated.set(.string(now), at: ["spec", "acquireTime"])
            updated.set(.int((spec["leaseTransitions"]?.int ?? 0) + 1), at: ["spec", "leaseTransitions"])
        }
        do {
            let result = try await api.update(ref, subresource: nil, body: updated, options: WriteOptions(fieldManager: "yopf"))
            observed.set((result["spec"], .now))
            return true
        } catch let e as KubeError where e.code == 409 {
            return false  // someone else wrote first
        }
    }

    static func now() -> String { Timestamp.formatMicro(microseconds: Timestamp.nowMicroseconds()) }

    /// `hostname_random`: unique per process, recognisable per pod.
    public static func defaultIdentity() -> String {
        let host = Environment.get("HOSTNAME") ?? Environment.get("POD_NAME") ?? "yopf"
        var rng = SystemRandomNumberGenerator()
        return "\(host)_\(String(rng.next() % 0xFFFF_FFFF, radix: 16))"
    }
}
