@testable import DevCluster
import JSONValue
import Testing

/// The STATUS column of `kubectl get pods`, worded as kube's printer words it.
@Suite struct PodStatusCellTests {
    static func pod(phase: String, state: JSON, ready: Bool = false, deleting: Bool = false) -> JSON {
        var metadata: JSON = ["name": "p"]
        if deleting { metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z" }
        return ["metadata": metadata, "status": ["phase": .string(phase), "containerStatuses": [["name": "c", "ready": .bool(ready), "state": state]]]]
    }

    @Test func wordsLikeKubectl() {
        #expect(TableRenderer.podStatus(Self.pod(phase: "Pending", state: ["waiting": ["reason": "ContainerCreating"]])) == "ContainerCreating")
        #expect(TableRenderer.podStatus(Self.pod(phase: "Running", state: ["running": ["startedAt": "x"]], ready: true)) == "Running")
        #expect(TableRenderer.podStatus(Self.pod(phase: "Succeeded", state: ["terminated": ["exitCode": 0, "reason": "Completed"]])) == "Completed")
        #expect(TableRenderer.podStatus(Self.pod(phase: "Failed", state: ["terminated": ["exitCode": 2, "reason": "Error"]])) == "Error")
        #expect(TableRenderer.podStatus(Self.pod(phase: "Failed", state: ["terminated": ["exitCode": 2]])) == "ExitCode:2")
        #expect(TableRenderer.podStatus(Self.pod(phase: "Running", state: ["running": [:]], ready: true, deleting: true)) == "Terminating")
        #expect(TableRenderer.podStatus(["metadata": ["name": "p"]]) == "Pending")
    }
}
