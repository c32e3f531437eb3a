import KubeMemory

/// The in-memory cluster is what the dev-cluster serves.
extension MemoryCluster: DevClusterBackend {}
