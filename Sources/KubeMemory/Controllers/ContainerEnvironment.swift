import JSONValue
import Kube
import Platform

/// A container's environment as the kubelet builds it: `envFrom` (ConfigMaps and Secrets,
/// with `prefix`), then `env` (`value` with `$(VAR)` references to earlier variables,
/// `valueFrom` secretKeyRef / configMapKeyRef / fieldRef). A reference to a missing object
/// or key is left out (a real kubelet would keep the container from starting).
struct ContainerEnvironment: Sendable {
    let api: any KubeAPI

    func resolve(pod: JSON, container: JSON) async -> [String: String] {
        let namespace = pod.objectNamespace
        var env: [String: String] = [:]
        for source in container["envFrom"]?.array ?? [] {
            let prefix = source["prefix"]?.string ?? ""
            if let name = source["configMapRef"]?["name"]?.string,
               let data = await object(Workload.configMaps, namespace, name)?["data"]?.object {
                for (k, v) in data { if let s = v.string { env[prefix + k] = s } }
            }
            if let name = source["secretRef"]?["name"]?.string,
               let data = await object(Workload.secrets, namespace, name)?["data"]?.object {
                for (k, v) in data { if let s = v.string.flatMap(Base64.decode) { env[prefix + k] = String(decoding: s, as: UTF8.self) } }
            }
        }
        for variable in container["env"]?.array ?? [] {
            guard let name = variable["name"]?.string else { continue }
            if let value = variable["value"]?.string {
                env[name] = ContainerEnvironment.expand(value, env)
            } else if let from = variable["valueFrom"], let value = await valueFrom(from, pod: pod) {
                env[name] = value
            } else if variable["valueFrom"] == nil {
                env[name] = ""
            }
        }
        return env
    }

    private func valueFrom(_ from: JSON, pod: JSON) async -> String? {
        let namespace = pod.objectNamespace
        if let ref = from["secretKeyRef"], let name = ref["name"]?.string, let key = ref["key"]?.string {
            guard let encoded = await object(Workload.secrets, namespace, name)?["data"]?[key]?.string,
                  let bytes = Base64.decode(encoded) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let ref = from["configMapKeyRef"], let name = ref["name"]?.string, let key = ref["key"]?.string {
            return await object(Workload.configMaps, namespace, name)?["data"]?[key]?.string
        }
        if let path = from["fieldRef"]?["fieldPath"]?.string {
            return ContainerEnvironment.field(path, of: pod)
        }
        return nil
    }

    /// The downward API's `fieldRef` paths.
    static func field(_ path: String, of pod: JSON) -> String? {
        for map in ["labels", "annotations"] where path.hasPrefix("metadata.\(map)['") && path.hasSuffix("']") {
            let key = String(path.dropFirst("metadata.\(map)['".count).dropLast(2))
            return pod["metadata"]?[map]?[key]?.string
        }
        return pod[path: path]?.string
    }

    private func object(_ gvr: GroupVersionResource, _ namespace: String, _ name: String) async -> JSON? {
        try? await api.get(ObjectRef(gvr, namespace: namespace, name: name), subresource: nil)
    }

    /// Expands `$(NAME)` with variables defined so far; `$$` stands for `$`, and an unknown
    /// reference stays as written — kube's rules for env values, command and args.
    static func expand(_ text: String, _ env: [String: String]) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "$", next < text.endIndex {
                if text[next] == "$" {
                    out.append("$")
                    i = text.index(after: next)
                    continue
                }
                if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
                    let name = String(text[text.index(after: next)..<close])
                    if let value = env[name] {
                        out += value
                        i = text.index(after: close)
                        continue
                    }
                }
            }
            out.append(c)
            i = next
        }
        return out
    }
}
