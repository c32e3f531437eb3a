import JSONValue
import Kube
import Testing

@testable import KubeMemory

@Suite struct PatchStrategicMergeTests {
    let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

    func apply(_ patch: String, to document: String, kind: GroupVersionKind? = nil) throws -> JSON {
        try StrategicMergePatch.apply(try JSON.parse(patch), to: try JSON.parse(document), kind: kind ?? deployment)
    }

    let live = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web","tier":"x"},"finalizers":["a"]},
         "spec":{"replicas":1,"template":{"spec":{"containers":[
            {"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]},
            {"name":"sidecar","image":"busybox","args":["sleep","1"]}]}}}}
        """#

    @Test func containersMergeByNameAndMapsRecursively() throws {
        let result = try apply(#"{"metadata":{"labels":{"tier":null,"new":"1"}},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}"#, to: live)
        #expect(result[path: "metadata.labels"] == ["app": "web", "new": "1"])
        let containers = try #require(result[path: "spec.template.spec.containers"]?.array)
        #expect(containers.count == 2)
        #expect(containers[0]["image"] == "nginx:2")
        #expect(containers[0]["env"]?.array?.count == 2, "untouched members of a merged item stay")
        #expect(containers[1]["name"] == "sidecar")
    }

    @Test func envMergesByNameAndPrimitiveListsReplace() throws {
        let result = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]},{"name":"sidecar","args":["sleep","2"]}]}}}}"#, to: live)
        let containers = try #require(result[path: "spec.template.spec.containers"]?.array)
        #expect(containers[0]["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "3"], ["name": "C", "value": "4"]])
        #expect(containers[1]["args"] == ["sleep", "2"])
    }

    @Test func newItemsAreAppended() throws {
        let result = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"third","image":"redis"}]}}}}"#, to: live)
        #expect(result[path: "spec.template.spec.containers"]?.array?.map { $0["name"] } == ["app", "sidecar", "third"])
    }

    @Test func deleteDirectiveInAListItem() throws {
        let result = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#, to: live)
        #expect(result[path: "spec.template.spec.containers"]?.array?.map { $0["name"] } == ["app"])
    }

    @Test func replaceDirectiveInAListAndInAMap() throws {
        let list = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#, to: live)
        #expect(list[path: "spec.template.spec.containers"] == [["name": "only", "image": "x"]])
        let map = try apply(#"{"metadata":{"labels":{"$patch":"replace","z":"1"}}}"#, to: live)
        #expect(map[path: "metadata.labels"] == ["z": "1"])
        let deleted = try apply(#"{"metadata":{"labels":{"$patch":"delete"}}}"#, to: live)
        #expect(deleted[path: "metadata.labels"] == nil)
    }

    @Test func finalizersMergeAsASetAndDeleteFromPrimitiveList() throws {
        let added = try apply(#"{"metadata":{"finalizers":["b","a"]}}"#, to: live)
        #expect(added[path: "metadata.finalizers"] == ["a", "b"])
        let removed = try apply(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#, to: added.serialized())
        #expect(removed[path: "metadata.finalizers"] == ["b"])
    }

    @Test func retainKeysClearsOtherMembers() throws {
        let document = #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#
        let result = try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}"#, to: document)
        #expect(result[path: "spec.strategy"] == ["type": "Recreate"])
        let volumes = try apply(
            #"{"spec":{"template":{"spec":{"volumes":[{"name":"v","$retainKeys":["name","emptyDir"],"emptyDir":{}}]}}}}"#,
            to: #"{"spec":{"template":{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}}}}"#)
        #expect(volumes[path: "spec.template.spec.volumes"] == [["name": "v", "emptyDir": [:]]])
    }

    /// What `kubectl apply` (client-side) sends after an image change and a removed env
    /// var: `$setElementOrder` lists for every merged list it touches.
    @Test func kubectlClientSideApplyPatch() throws {
        let patch = #"""
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],
               "containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"image":"nginx:3","name":"app"}]}}}}
            """#
        let result = try apply(patch, to: live)
        let containers = try #require(result[path: "spec.template.spec.containers"]?.array)
        #expect(containers.map { $0["name"] } == ["sidecar", "app"])
        #expect(containers[1]["image"] == "nginx:3")
        #expect(containers[1]["env"] == [["name": "A", "value": "1"]])
        #expect(result[path: "metadata.annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] == "{}")
    }

    @Test func setElementOrderKeepsServerOnlyItemsInPlace() throws {
        let document = #"{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"server"},{"name":"b"}]}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}}"#
        #expect(try apply(patch, to: document)[path: "spec.template.spec.containers"]?.array?.map { $0["name"] } == ["b", "server", "a"])
    }

    @Test func servicePortsMergeByPort() throws {
        let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
        let result = try apply(#"{"spec":{"ports":[{"port":443,"name":"https"},{"port":80,"targetPort":8081}]}}"#,
                               to: #"{"spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"}]}}"#, kind: service)
        #expect(result[path: "spec.ports"] == [["port": 80, "targetPort": 8081, "name": "http"], ["port": 443, "name": "https"]])
    }

    @Test func customResourceListsAreReplaced() throws {
        let custom = GroupVersionKind(group: "otus.homework", version: "v1", kind: "MySQL")
        let result = try apply(#"{"spec":{"containers":[{"name":"b"}]}}"#, to: #"{"spec":{"containers":[{"name":"a"}]}}"#, kind: custom)
        #expect(result[path: "spec.containers"] == [["name": "b"]])
    }

    @Test func badDirectivesAndMissingMergeKeysAreErrors() throws {
        #expect(throws: PatchError.self) { try apply(#"{"metadata":{"labels":{"$patch":"explode"}}}"#, to: live) }
        let error = #expect(throws: PatchError.self) {
            try apply(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#, to: live)
        }
        #expect(error?.message.contains("does not contain declared merge key: name") == true)
        #expect(throws: PatchError.self) { try apply(#"[1]"#, to: live) }
    }
}
