import Kube

/// The built-in resource types the in-memory server serves, named as kube-apiserver names
/// them (short names and categories as `kubectl api-resources` lists them).
enum BuiltinResources {
    static let all: [ResourceType] = {
        var types: [ResourceType] = []
        func add(
            _ group: String, _ version: String, _ plural: String, _ kind: String, namespaced: Bool = true,
            short: [String] = [], categories: [String] = [], status: Bool = false, scale: Bool = false,
            generation: Bool = false, nameRule: NameRule = .subdomain, fields: Set<String> = []
        ) {
            var sub: [String] = []
            if status { sub.append("status") }
            if scale { sub.append("scale") }
            let info = ResourceInfo(
                gvr: GroupVersionResource(group: group, version: version, resource: plural), kind: kind,
                namespaced: namespaced, shortNames: short, categories: categories, subresources: sub)
            let scalePaths = scale
                ? ScalePaths(specReplicas: ["spec", "replicas"], statusReplicas: ["status", "replicas"],
                             labelSelector: nil, builtinSelector: true)
                : nil
            types.append(ResourceType(
                info: info, hasStatus: status, scale: scalePaths, tracksGeneration: generation || status,
                nameRule: nameRule, fieldLabels: fields, crdName: nil, openAPISchema: nil, schema: nil))
        }
        let all = ["all"]
        add("", "v1", "namespaces", "Namespace", namespaced: false, short: ["ns"], status: true,
            nameRule: .label, fields: ["status.phase"])
        add("", "v1", "pods", "Pod", short: ["po"], categories: all, status: true,
            fields: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                     "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"])
        add("", "v1", "services", "Service", short: ["svc"], categories: all, status: true, nameRule: .label)
        add("", "v1", "configmaps", "ConfigMap", short: ["cm"])
        add("", "v1", "secrets", "Secret", fields: ["type"])
        add("", "v1", "persistentvolumes", "PersistentVolume", namespaced: false, short: ["pv"], status: true)
        add("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short: ["pvc"], status: true)
        add("", "v1", "serviceaccounts", "ServiceAccount", short: ["sa"])
        add("", "v1", "endpoints", "Endpoints", short: ["ep"])
        add("", "v1", "resourcequotas", "ResourceQuota", short: ["quota"], status: true)
        add("", "v1", "limitranges", "LimitRange", short: ["limits"])
        add("", "v1", "events", "Event", short: ["ev"],
            fields: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                     "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                     "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"])
        add("apps", "v1", "deployments", "Deployment", short: ["deploy"], categories: all, status: true, scale: true)
        add("apps", "v1", "statefulsets", "StatefulSet", short: ["sts"], categories: all, status: true, scale: true)
        add("apps", "v1", "replicasets", "ReplicaSet", short: ["rs"], categories: all, status: true, scale: true)
        add("apps", "v1", "daemonsets", "DaemonSet", short: ["ds"], categories: all, status: true)
        add("batch", "v1", "jobs", "Job", categories: all, status: true, fields: ["status.successful"])
        add("batch", "v1", "cronjobs", "CronJob", short: ["cj"], categories: all, status: true)
        add("coordination.k8s.io", "v1", "leases", "Lease")
        add("networking.k8s.io", "v1", "ingresses", "Ingress", short: ["ing"], status: true)
        add("networking.k8s.io", "v1", "ingressclasses", "IngressClass", namespaced: false)
        add("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short: ["netpol"])
        add("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short: ["pdb"], status: true)
        add("events.k8s.io", "v1", "events", "Event", short: ["ev"])
        add("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
            namespaced: false, short: ["crd", "crds"], categories: ["api-extensions"], status: true)
        let rbac = "rbac.authorization.k8s.io"
        add(rbac, "v1", "roles", "Role", nameRule: .pathSegment)
        add(rbac, "v1", "clusterroles", "ClusterRole", namespaced: false, nameRule: .pathSegment)
        add(rbac, "v1", "rolebindings", "RoleBinding", nameRule: .pathSegment)
        add(rbac, "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced: false, nameRule: .pathSegment)
        return types
    }()

    static let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    /// Namespaces that exist when the server starts and may not be deleted.
    static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
}
