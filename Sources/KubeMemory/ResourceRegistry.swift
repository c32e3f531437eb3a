import JSONValue
import Kube

/// The resource types served: built-ins plus the versions of established CRDs.
struct ResourceRegistry: Sendable {
    private(set) var types: [GroupVersionResource: ResourceType] = [:]
    private var byKind: [GroupVersionKind: GroupVersionResource] = [:]
    /// Registration order, so that discovery is stable.
    private var order: [GroupVersionResource] = []

    init(_ initial: [ResourceType]) {
        for t in initial { register(t) }
    }

    mutating func register(_ type: ResourceType) {
        if types[type.gvr] == nil { order.append(type.gvr) }
        types[type.gvr] = type
        byKind[type.info.gvk] = type.gvr
    }

    /// Removes every type a CRD registered.
    mutating func unregister(crd name: String) {
        let gone = order.filter { types[$0]?.crdName == name }
        for gvr in gone {
            if let t = types.removeValue(forKey: gvr) { byKind[t.info.gvk] = nil }
        }
        order.removeAll { gone.contains($0) }
    }

    subscript(gvr: GroupVersionResource) -> ResourceType? { types[gvr] }

    func type(for gvk: GroupVersionKind) -> ResourceType? {
        byKind[gvk].flatMap { types[$0] }
    }

    /// Any served version of a group and resource (for storage-level work such as GC).
    func anyVersion(of gr: GroupResource) -> ResourceType? {
        for gvr in order where gvr.group == gr.group && gvr.resource == gr.resource {
            if let t = types[gvr] { return t }
        }
        return nil
    }

    var all: [ResourceType] { order.compactMap { types[$0] } }

    /// The type or kube's answer for an unknown resource.
    func require(_ gvr: GroupVersionResource) throws(KubeError) -> ResourceType {
        guard let t = types[gvr] else { throw KubeError.unknownResource() }
        return t
    }
}

extension KubeError {
    /// What kube-apiserver answers for a path it does not serve.
    static func unknownResource() -> KubeError {
        KubeError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                  details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }
}
