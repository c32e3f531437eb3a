import JSONValue
import Kube

/// What kube-apiserver's Service storage does beyond defaults: it allocates a cluster IP
/// (from 10.96.0.0/16 here, IPv4 single stack) and node ports (30000-32767) that no other
/// Service holds, and keeps them when an update leaves them out. A requested IP or port
/// that is taken or out of range is refused with kube's words. Nothing routes to these
/// addresses: there are no endpoints and no proxy (docs/dev-cluster.md).
/// Called by create and replace for `v1 services`.
extension ClusterState {
    static let servicesResource = GroupResource(group: "", resource: "services")

    func serviceAddresses(_ service: JSON, old: JSON?) throws -> JSON {
        var o = service
        guard o["spec"]?.object != nil else { return o }
        let type = o["spec"]?["type"]?.string ?? "ClusterIP"
        let name = o.objectName
        var takenIPs: Set<String> = [], takenPorts: Set<Int> = []
        for (key, other) in objects[ClusterState.servicesResource] ?? [:] where other.objectUID != o.objectUID || key.name != name {
            for ip in BuiltinValidation.clusterIPs(other["spec"] ?? .null) { takenIPs.insert(ip) }
            for p in other["spec"]?["ports"]?.array ?? [] { if let n = p["nodePort"]?.int { takenPorts.insert(n) } }
        }
        if type == "ExternalName" {
            o.set(nil, at: ["spec", "clusterIP"])
            o.set(nil, at: ["spec", "clusterIPs"])
        } else {
            var ips = BuiltinValidation.clusterIPs(o["spec"] ?? .null)
            if ips.isEmpty, let old { ips = BuiltinValidation.clusterIPs(old["spec"] ?? .null) }
            if ips.isEmpty {
                var n = 10
                while takenIPs.contains(ClusterState.serviceIP(n)) { n += 1 }
                ips = [ClusterState.serviceIP(n)]
            } else if old == nil, let ip = ips.first, ip != "None", takenIPs.contains(ip) {
                throw KubeError.invalid(ObjectRef(GroupVersionResource(group: "", version: "v1", resource: "services"), namespace: nil, name: name), kind: "Service",
                                        causes: [("spec.clusterIPs", "Invalid value: []string{\(JSON.quote(ip))}: failed to allocate IP \(ip): provided IP is already allocated", "FieldValueInvalid")])
            }
            o.set(.string(ips[0]), at: ["spec", "clusterIP"])
            o.set(.array(ips.map { .string($0) }), at: ["spec", "clusterIPs"])
            if o["spec"]?["ipFamilies"] == nil { o.set(["IPv4"], at: ["spec", "ipFamilies"]) }
            if o["spec"]?["ipFamilyPolicy"] == nil { o.set("SingleStack", at: ["spec", "ipFamilyPolicy"]) }
        }
        if type == "NodePort" || type == "LoadBalancer", let ports = o["spec"]?["ports"]?.array {
            let oldPorts = old?["spec"]?["ports"]?.array ?? []
            var next = 30000 + Int(ClusterState.stableHash(o.objectNamespace + "/" + name) % 2000)
            o.set(.array(ports.enumerated().map { i, p in
                guard case .object = p, (p["nodePort"]?.int ?? 0) == 0 else { return p }
                var p = p
                if i < oldPorts.count, let kept = oldPorts[i]["nodePort"]?.int, kept != 0 {
                    p["nodePort"] = .int(kept)
                } else {
                    while takenPorts.contains(next) { next = next >= 32767 ? 30000 : next + 1 }
                    takenPorts.insert(next)
                    p["nodePort"] = .int(next)
                }
                return p
            }), at: ["spec", "ports"])
        }
        return o
    }

    static func serviceIP(_ n: Int) -> String { "10.96.\(n / 256 % 256).\(n % 256)" }

    /// FNV-1a, so node ports look spread out but are reproducible.
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
