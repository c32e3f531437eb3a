/// The fields of the `spec` of common built-in kinds, with their OpenAPI types (field names
/// from k8s.io/api v1.28, plus the few that kubectl 1.32 knows and 1.28 does not). The
/// dev-cluster refuses an unknown spec field under `fieldValidation=Strict` and drops it
/// otherwise, as kube-apiserver's decoding does (KubeMemory), and `kubectl explain` shows
/// these fields (DevCluster's OpenAPI documents). Only one level deep: what lies below
/// (pod templates, ports, …) is neither checked nor explained. Kinds not listed are not
/// checked at all.
public enum BuiltinSpecFields {
    /// OpenAPI type of each field by "group/resource" ("" group for the core API).
    public static let byResource: [String: [String: String]] = [
        "apps/deployments": [
            "replicas": "integer", "selector": "object", "template": "object", "strategy": "object", "minReadySeconds": "integer",
            "revisionHistoryLimit": "integer", "paused": "boolean", "progressDeadlineSeconds": "integer",
        ],
        "apps/statefulsets": [
            "replicas": "integer", "selector": "object", "template": "object", "volumeClaimTemplates": "array", "serviceName": "string",
            "podManagementPolicy": "string", "updateStrategy": "object", "revisionHistoryLimit": "integer", "minReadySeconds": "integer",
            "persistentVolumeClaimRetentionPolicy": "object", "ordinals": "object",
        ],
        "apps/replicasets": ["replicas": "integer", "minReadySeconds": "integer", "selector": "object", "template": "object"],
        "apps/daemonsets": [
            "selector": "object", "template": "object", "updateStrategy": "object", "minReadySeconds": "integer", "revisionHistoryLimit": "integer",
        ],
        "batch/jobs": [
            "parallelism": "integer", "completions": "integer", "activeDeadlineSeconds": "integer", "podFailurePolicy": "object",
            "backoffLimit": "integer", "backoffLimitPerIndex": "integer", "maxFailedIndexes": "integer", "selector": "object",
            "manualSelector": "boolean", "template": "object", "ttlSecondsAfterFinished": "integer", "completionMode": "string",
            "suspend": "boolean", "podReplacementPolicy": "string", "successPolicy": "object", "managedBy": "string",
        ],
        "batch/cronjobs": [
            "schedule": "string", "timeZone": "string", "startingDeadlineSeconds": "integer", "concurrencyPolicy": "string",
            "suspend": "boolean", "jobTemplate": "object", "successfulJobsHistoryLimit": "integer", "failedJobsHistoryLimit": "integer",
        ],
        "/services": [
            "ports": "array", "selector": "object", "clusterIP": "string", "clusterIPs": "array", "type": "string", "externalIPs": "array",
            "sessionAffinity": "string", "loadBalancerIP": "string", "loadBalancerSourceRanges": "array", "externalName": "string",
            "externalTrafficPolicy": "string", "healthCheckNodePort": "integer", "publishNotReadyAddresses": "boolean",
            "sessionAffinityConfig": "object", "ipFamilies": "array", "ipFamilyPolicy": "string",
            "allocateLoadBalancerNodePorts": "boolean", "loadBalancerClass": "string", "internalTrafficPolicy": "string",
            "trafficDistribution": "string",
        ],
        "networking.k8s.io/ingresses": ["ingressClassName": "string", "defaultBackend": "object", "tls": "array", "rules": "array"],
    ]

    public static func fields(group: String, resource: String) -> [String: String]? { byResource["\(group)/\(resource)"] }
}
