import JSONValue
import Kube
import Testing
@testable import KubeMemory

@Suite struct ControllersDeploymentTests {
    @Test func deploymentMakesAReplicaSetAndReadyPods() async throws {
        try await withSimulator { cluster, _ in
            let d = try await cluster.create(R.deployments, namespace: "default", body: deployment("web", replicas: 2))
            #expect(try await eventually {
                let s = try await cluster.get(ref(R.deployments, "web"))["status"]
                return s?["readyReplicas"]?.int == 2 && s?["availableReplicas"]?.int == 2
            })
            let sets = try await items(cluster, W.replicasets)
            #expect(sets.count == 1)
            let rs = try #require(sets.first)
            let hash = try #require(rs["metadata"]?["labels"]?["pod-template-hash"]?.string)
            #expect(rs["metadata"]?["name"]?.string == "web-\(hash)")
            #expect(rs["metadata"]?["ownerReferences"]?[0]?["uid"] == d["metadata"]?["uid"])
            #expect(rs["spec"]?["selector"]?["matchLabels"]?["pod-template-hash"]?.string == hash)
            let pods = try await items(cluster, R.pods)
            #expect(pods.count == 2)
            for pod in pods {
                #expect(pod["metadata"]?["labels"]?["app"]?.string == "web")
                #expect(pod["metadata"]?["labels"]?["pod-template-hash"]?.string == hash)
                #expect(pod["metadata"]?["name"]?.string?.hasPrefix("web-\(hash)-") == true)
                #expect(pod["metadata"]?["ownerReferences"]?[0]?["kind"]?.string == "ReplicaSet")
                #expect(pod["metadata"]?["ownerReferences"]?[0]?["controller"]?.bool == true)
                #expect(pod["status"]?["phase"]?.string == "Running")
            }
            let web = try await cluster.get(ref(R.deployments, "web"))
            #expect(web["status"]?["observedGeneration"]?.int == 1)
            #expect(web["status"]?["updatedReplicas"]?.int == 2)
            #expect(condition(web, "Available")?["status"]?.string == "True")
            #expect(condition(web, "Progressing")?["reason"]?.string == "NewReplicaSetAvailable")
            #expect(web["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.string == "1")
        }
    }

    @Test func scalingToZeroAndBackThroughTheScaleSubresource() async throws {
        try await withSimulator { cluster, _ in
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("db", replicas: 1))
            #expect(try await eventually { try await cluster.get(ref(R.deployments, "db"))["status"]?["readyReplicas"]?.int == 1 })
            _ = try await cluster.patch(ref(R.deployments, "db"), subresource: "scale", type: .merge,
                                        body: ["spec": ["replicas": 0]], options: WriteOptions())
            #expect(try await eventually {
                let d = try await cluster.get(ref(R.deployments, "db"))
                let pods = try await items(cluster, R.pods)
                return pods.isEmpty && d["status"]?["replicas"] == nil && d["status"]?["observedGeneration"]?.int == 2
            })
            let zero = try await cluster.get(ref(R.deployments, "db"))
            #expect(zero["status"]?["readyReplicas"] == nil)
            #expect(condition(zero, "Available")?["status"]?.string == "True")
            _ = try await cluster.patch(ref(R.deployments, "db"), subresource: "scale", type: .merge,
                                        body: ["spec": ["replicas": 1]], options: WriteOptions())
            #expect(try await eventually {
                let s = try await cluster.get(ref(R.deployments, "db"))["status"]
                return s?["readyReplicas"]?.int == 1 && s?["availableReplicas"]?.int == 1
            })
            #expect(try await items(cluster, W.replicasets).count == 1)
        }
    }

    @Test func templateChangeRollsOutANewReplicaSet() async throws {
        try await withSimulator { cluster, _ in
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("app", replicas: 2))
            #expect(try await eventually { try await cluster.get(ref(R.deployments, "app"))["status"]?["readyReplicas"]?.int == 2 })
            let oldHash = try #require(try await items(cluster, W.replicasets).first?["metadata"]?["labels"]?["pod-template-hash"]?.string)
            _ = try await cluster.patch(ref(R.deployments, "app"), subresource: nil, type: .merge,
                                        body: ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "nginx", "env": [["name": "PASSWORD", "value": "new"]]]]]]]],
                                        options: WriteOptions())
            #expect(try await eventually {
                let pods = try await items(cluster, R.pods)
                let d = try await cluster.get(ref(R.deployments, "app"))
                return pods.count == 2
                    && pods.allSatisfy { $0["metadata"]?["labels"]?["pod-template-hash"]?.string != oldHash && Workload.isReady($0) }
                    && d["status"]?["updatedReplicas"]?.int == 2 && d["status"]?["readyReplicas"]?.int == 2
            })
            let sets = try await items(cluster, W.replicasets)
            #expect(sets.count == 2)
            let old = try #require(sets.first { $0["metadata"]?["labels"]?["pod-template-hash"]?.string == oldHash })
            #expect(old["spec"]?["replicas"]?.int == 0)
            let pod = try #require(try await items(cluster, R.pods).first)
            #expect(pod["spec"]?["containers"]?[0]?["env"]?[0]?["value"]?.string == "new")
            #expect(try await cluster.get(ref(R.deployments, "app"))["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.string == "2")
        }
    }

    @Test func podsGetTheKubeletsStatus() async throws {
        try await withSimulator { cluster, _ in
            _ = try await cluster.create(R.pods, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                "spec": ["containers": [["name": "c", "image": "nginx"]]],
            ])
            #expect(try await eventually { Workload.isReady(try await cluster.get(ref(R.pods, "p"))) })
            let pod = try await cluster.get(ref(R.pods, "p"))
            let status = try #require(pod["status"])
            #expect(status["phase"]?.string == "Running")
            #expect(status["podIP"]?.string?.hasPrefix("10.") == true)
            #expect(status["hostIP"]?.string != nil)
            #expect(status["startTime"]?.string != nil)
            #expect(pod["spec"]?["nodeName"]?.string == "yopf-dev-node")
            for type in ["Ready", "ContainersReady", "PodScheduled", "Initialized"] {
                #expect(condition(pod, type)?["status"]?.string == "True")
            }
            let c = try #require(status["containerStatuses"]?[0])
            #expect(c["ready"]?.bool == true)
            #expect(c["started"]?.bool == true)
            #expect(c["state"]?["running"]?["startedAt"]?.string != nil)
            let managers = (pod["metadata"]?["managedFields"]?.array ?? []).compactMap { $0["manager"]?.string }
            #expect(managers.contains("kubelet"))
        }
    }

    @Test func statefulSetMakesOrdinalPodsAndScalesDownFromTheTop() async throws {
        try await withSimulator { cluster, _ in
            _ = try await cluster.create(W.statefulsets, namespace: "default", body: statefulSet("db", replicas: 3))
            #expect(try await eventually {
                try await cluster.get(ref(W.statefulsets, "db"))["status"]?["readyReplicas"]?.int == 3
            })
            let names = try await items(cluster, R.pods).compactMap { $0["metadata"]?["name"]?.string }.sorted()
            #expect(names == ["db-0", "db-1", "db-2"])
            let pod = try await cluster.get(ref(R.pods, "db-1"))
            #expect(pod["metadata"]?["labels"]?["statefulset.kubernetes.io/pod-name"]?.string == "db-1")
            #expect(pod["metadata"]?["labels"]?["app"]?.string == "db")
            #expect(pod["spec"]?["hostname"]?.string == "db-1")
            #expect(pod["spec"]?["subdomain"]?.string == "db")
            let sts = try await cluster.get(ref(W.statefulsets, "db"))
            #expect(sts["status"]?["replicas"]?.int == 3)
            #expect(sts["status"]?["observedGeneration"]?.int == 1)
            #expect(sts["status"]?["currentRevision"] == sts["status"]?["updateRevision"])
            _ = try await cluster.patch(ref(W.statefulsets, "db"), subresource: "scale", type: .merge,
                                        body: ["spec": ["replicas": 1]], options: WriteOptions())
            #expect(try await eventually {
                let names = try await items(cluster, R.pods).compactMap { $0["metadata"]?["name"]?.string }
                let s = try await cluster.get(ref(W.statefulsets, "db"))["status"]
                return names == ["db-0"] && s?["readyReplicas"]?.int == 1 && s?["replicas"]?.int == 1
            })
        }
    }
}

@Suite struct ControllersFaultTests {
    @Test func workloadsConvergeThroughTransientAPIErrors() async throws {
        try await withSimulator { cluster, _ in
            cluster.addFault(FaultRule(verbs: ["patch"], resource: "pods", subresource: "status", times: 3,
                                       action: .error(code: 500, message: "etcd timeout")))
            cluster.addFault(FaultRule(verbs: ["create"], resource: "replicasets", times: 2,
                                       action: .error(code: 429, retryAfterSeconds: 1)))
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("web", replicas: 2))
            #expect(try await eventually {
                try await cluster.get(ref(R.deployments, "web"))["status"]?["readyReplicas"]?.int == 2
            })
            #expect(try await items(cluster, W.replicasets).count == 1)
            #expect(try await items(cluster, R.pods).count == 2)
        }
    }

    @Test func aDroppedWatchIsResumed() async throws {
        try await withSimulator { cluster, _ in
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("a", replicas: 1))
            #expect(try await eventually { try await cluster.get(ref(R.deployments, "a"))["status"]?["readyReplicas"]?.int == 1 })
            cluster.dropAllWatches()
            _ = try await cluster.create(R.deployments, namespace: "default", body: deployment("b", replicas: 1))
            #expect(try await eventually { try await cluster.get(ref(R.deployments, "b"))["status"]?["readyReplicas"]?.int == 1 })
        }
    }
}
