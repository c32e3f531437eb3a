import JSONValue
import Kube
import Testing

@testable import KubeMemory

@Suite struct PatchManagedFieldsTests {
    let t1 = "2026-01-01T00:00:00Z"
    let t2 = "2026-01-02T00:00:00Z"
    let t3 = "2026-01-03T00:00:00Z"

    /// A ConfigMap configuration; `labels: nil` leaves labels out.
    func configMap(_ data: String, labels: String? = #"{"app":"web"}"#) throws -> JSON {
        let labelsMember = labels.map { #","labels":\#($0)"# } ?? ""
        return try JSON.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"\#(labelsMember)},"data":\#(data)}"#)
    }

    func entries(_ object: JSON) -> [JSON] { object.value(at: ["metadata", "managedFields"])?.array ?? [] }

    func entry(_ object: JSON, _ manager: String) -> JSON? { entries(object).first { $0["manager"]?.string == manager } }

    @Test func applyCreatesTheObjectAndRecordsTheApplier() throws {
        let result = try ManagedFields.apply(config: try configMap(#"{"key":"v"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        #expect(result["data"] == ["key": "v"])
        let mine = try #require(entry(result, "kubectl"))
        #expect(mine["operation"] == "Apply")
        #expect(mine["apiVersion"] == "v1")
        #expect(mine["time"] == .string(t1))
        #expect(mine["fieldsType"] == "FieldsV1")
        #expect(mine["subresource"] == nil)
        #expect(mine["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:app":{}}}}"#)))
    }

    @Test func applyingTheSameConfigurationTwiceChangesNothing() throws {
        let config = try configMap(#"{"key":"v"}"#)
        let first = try ManagedFields.apply(config: config, to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let second = try ManagedFields.apply(config: config, to: first, manager: "kubectl", force: false, subresource: nil, now: t2)
        #expect(second == first)
        #expect(entry(second, "kubectl")?["time"] == .string(t1), "a no-op apply keeps the entry's time")
    }

    @Test func anotherManagerChangingAnOwnedFieldConflicts() throws {
        let live = try ManagedFields.apply(config: try configMap(#"{"key":"v"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let conflict = #expect(throws: ApplyConflict.self) {
            try ManagedFields.apply(config: try configMap(#"{"key":"other"}"#, labels: nil), to: live, manager: "operator", force: false, subresource: nil, now: t2)
        }
        #expect(conflict?.conflicts.count == 1)
        #expect(conflict?.conflicts.first?.field == ".data.key")
        #expect(conflict?.message == #"Apply failed with 1 conflict: conflict with "kubectl": .data.key"#)
        let status = try #require(conflict?.kubeError)
        #expect(status.code == 409)
        #expect(status.reason == "Conflict")
        #expect(status.status[path: "details.causes"] == [["reason": "FieldManagerConflict", "message": #"conflict with "kubectl""#, "field": ".data.key"]])
    }

    @Test func severalConflictsAreGroupedByManager() throws {
        let live = try ManagedFields.apply(config: try configMap(#"{"a":"1","b":"2"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let conflict = #expect(throws: ApplyConflict.self) {
            try ManagedFields.apply(config: try configMap(#"{"a":"x","b":"y"}"#, labels: nil), to: live, manager: "operator", force: false, subresource: nil, now: t2)
        }
        #expect(conflict?.message == "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .data.a\n- .data.b")
    }

    @Test func forceMovesOwnership() throws {
        let live = try ManagedFields.apply(config: try configMap(#"{"key":"v","keep":"k"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let result = try ManagedFields.apply(config: try configMap(#"{"key":"other"}"#, labels: nil), to: live, manager: "operator", force: true, subresource: nil, now: t2)
        #expect(result["data"] == ["key": "other", "keep": "k"])
        #expect(entry(result, "operator")?["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:key":{}}}"#)))
        #expect(entry(result, "kubectl")?["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:keep":{}},"f:metadata":{"f:labels":{"f:app":{}}}}"#)))
    }

    @Test func sameValueIsSharedWithoutConflict() throws {
        let live = try ManagedFields.apply(config: try configMap(#"{"key":"v"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let result = try ManagedFields.apply(config: try configMap(#"{"key":"v"}"#, labels: nil), to: live, manager: "operator", force: false, subresource: nil, now: t2)
        #expect(entry(result, "operator")?["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:key":{}}}"#)))
        #expect(entry(result, "kubectl")?["fieldsV1"]?[path: "f:data"] == ["f:key": [:]])
        // Now the first applier drops the field: the co-owner keeps it in the object.
        let dropped = try ManagedFields.apply(config: try configMap("{}"), to: result, manager: "kubectl", force: false, subresource: nil, now: t3)
        #expect(dropped["data"] == ["key": "v"])
    }

    @Test func fieldsDroppedFromTheConfigurationAreRemoved() throws {
        let live = try ManagedFields.apply(config: try configMap(#"{"a":"1","b":"2"}"#, labels: #"{"app":"web","x":"y"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let result = try ManagedFields.apply(config: try configMap(#"{"a":"1"}"#), to: live, manager: "kubectl", force: false, subresource: nil, now: t2)
        #expect(result["data"] == ["a": "1"])
        #expect(result[path: "metadata.labels"] == ["app": "web"])
        #expect(entry(result, "kubectl")?["time"] == .string(t2))
    }

    @Test func fieldsOwnedByAnUpdaterSurviveTheirRemovalFromTheConfiguration() throws {
        let applied = try ManagedFields.apply(config: try configMap(#"{"a":"1","b":"2"}"#), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        var edited = applied
        edited.set("changed", at: ["data", "b"])
        let updated = ManagedFields.recordUpdate(old: applied, new: edited, manager: "kubectl-edit", subresource: nil, now: t2)
        #expect(entry(updated, "kubectl-edit")?["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:b":{}}}"#)))
        #expect(entry(updated, "kubectl")?["fieldsV1"]?[path: "f:data"] == ["f:a": [:]], "the applier lost the field")
        let result = try ManagedFields.apply(config: try configMap(#"{"a":"1"}"#), to: updated, manager: "kubectl", force: false, subresource: nil, now: t3)
        #expect(result["data"] == ["a": "1", "b": "changed"])
        // And applying a different value to it conflicts with the updater, named as kube names it.
        let conflict = #expect(throws: ApplyConflict.self) {
            try ManagedFields.apply(config: try configMap(#"{"a":"1","b":"3"}"#), to: updated, manager: "kubectl", force: false, subresource: nil, now: t3)
        }
        #expect(conflict?.message == #"Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.b"#)
    }

    let deployment = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"app","image":"nginx:1","ports":[{"containerPort":80}]},{"name":"side","image":"busybox"}]}}}}
        """#

    @Test func associativeListsAreOwnedItemByItem() throws {
        let result = try ManagedFields.apply(config: try JSON.parse(deployment), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        let fields = try #require(entry(result, "kubectl")?["fieldsV1"])
        let app = try #require(fields.value(at: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#]))
        #expect(app == (try JSON.parse(#"{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80}":{".":{},"f:containerPort":{}}}}"#)))
        #expect(fields.value(at: ["f:spec", "f:replicas"]) == [:])

        // Another manager changes the image of one container: it conflicts on that field only.
        var other = try JSON.parse(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}"#)
        let conflict = #expect(throws: ApplyConflict.self) {
            try ManagedFields.apply(config: other, to: result, manager: "operator", force: false, subresource: nil, now: t2)
        }
        #expect(conflict?.conflicts.map(\.field) == [#".spec.template.spec.containers[name="side"].image"#])

        // Adding a container is no conflict and keeps the others in place.
        other = try JSON.parse(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"redis"}]}}}}"#)
        let merged = try ManagedFields.apply(config: other, to: result, manager: "operator", force: false, subresource: nil, now: t2)
        #expect(merged[path: "spec.template.spec.containers"]?.array?.map { $0["name"] } == ["app", "side", "extra"])

        // The first applier drops a container: it goes; the other manager's container stays.
        var fewer = try JSON.parse(deployment)
        fewer.set([["name": "app", "image": "nginx:1", "ports": [["containerPort": 80]]]], at: ["spec", "template", "spec", "containers"])
        let shrunk = try ManagedFields.apply(config: fewer, to: merged, manager: "kubectl", force: false, subresource: nil, now: t3)
        #expect(shrunk[path: "spec.template.spec.containers"]?.array?.map { $0["name"] } == ["app", "extra"])
    }

    @Test func atomicListsAreOneField() throws {
        let live = try ManagedFields.apply(config: try JSON.parse(deployment), to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        var config = try JSON.parse(deployment)
        config.set(["a", "b"], at: ["spec", "template", "spec", "tolerations"])
        let result = try ManagedFields.apply(config: config, to: live, manager: "kubectl", force: false, subresource: nil, now: t2)
        #expect(entry(result, "kubectl")?["fieldsV1"]?.value(at: ["f:spec", "f:template", "f:spec", "f:tolerations"]) == [:])
    }

    @Test func finalizersAreASet() throws {
        let config = try JSON.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a"]}}"#)
        let live = try ManagedFields.apply(config: config, to: nil, manager: "one", force: false, subresource: nil, now: t1)
        let other = try JSON.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["b"]}}"#)
        let result = try ManagedFields.apply(config: other, to: live, manager: "two", force: false, subresource: nil, now: t2)
        #expect(result[path: "metadata.finalizers"] == ["a", "b"])
        #expect(entry(result, "two")?["fieldsV1"] == (try JSON.parse(#"{"f:metadata":{"f:finalizers":{"v:\"b\"":{}}}}"#)))
        let dropped = try ManagedFields.apply(config: try JSON.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#), to: result, manager: "one", force: false, subresource: nil, now: t3)
        #expect(dropped[path: "metadata.finalizers"] == ["b"])
    }

    @Test func customResourceListsFollowTheSchema() throws {
        let schema = StructuralSchema(try JSON.parse(#"""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"],
                       "items":{"type":"object","properties":{"id":{"type":"string"},"v":{"type":"integer"}}}},
              "tags":{"type":"array","items":{"type":"string"}}}}}}
            """#))
        let config = try JSON.parse(#"{"apiVersion":"x.example.com/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"items":[{"id":"a","v":1}],"tags":["x"]}}"#)
        let result = try ManagedFields.apply(config: config, to: nil, manager: "m", force: false, subresource: nil, now: t1, lists: .schema(schema))
        let fields = try #require(entry(result, "m")?["fieldsV1"])
        #expect(fields.value(at: ["f:spec", "f:items", #"k:{"id":"a"}"#]) == [".": [:], "f:id": [:], "f:v": [:]])
        #expect(fields.value(at: ["f:spec", "f:tags"]) == [:])
    }

    @Test func aFirstApplyToAnUntrackedObjectConflictsWithBeforeFirstApply() throws {
        let untracked = try configMap(#"{"key":"v"}"#)
        let conflict = #expect(throws: ApplyConflict.self) {
            try ManagedFields.apply(config: try configMap(#"{"key":"new"}"#), to: untracked, manager: "kubectl", force: false, subresource: nil, now: t1)
        }
        #expect(conflict?.conflicts.first?.manager == #""before-first-apply" using v1"#)
    }

    @Test func systemMetadataIsNeverOwned() throws {
        let config = try JSON.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n","uid":"u","resourceVersion":"5"}}"#)
        let result = try ManagedFields.apply(config: config, to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        #expect(entry(result, "kubectl")?["fieldsV1"] == [:])
        let created = ManagedFields.recordUpdate(old: nil, new: config, manager: "kubectl-create", subresource: nil, now: t1)
        #expect(entries(created).isEmpty)
    }

    @Test func createRecordsEveryFieldWithKeyedMapsOwnedWhole() throws {
        let created = ManagedFields.recordUpdate(old: nil, new: try configMap(#"{"key":"v"}"#), manager: "kubectl-create", subresource: nil, now: t1)
        let mine = try #require(entry(created, "kubectl-create"))
        #expect(mine["operation"] == "Update")
        #expect(mine["apiVersion"] == "v1")
        #expect(mine["fieldsV1"] == (try JSON.parse(#"{"f:data":{".":{},"f:key":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#)))
    }

    @Test func updatesMoveOwnershipAndDropRemovedFields() throws {
        let created = ManagedFields.recordUpdate(old: nil, new: try configMap(#"{"a":"1","b":"2"}"#), manager: "creator", subresource: nil, now: t1)
        var changed = created
        changed.set("3", at: ["data", "a"])
        changed.remove(at: ["data", "b"])
        let updated = ManagedFields.recordUpdate(old: created, new: changed, manager: "controller", subresource: "status", now: t2)
        let controller = try #require(entry(updated, "controller"))
        #expect(controller["subresource"] == "status")
        #expect(controller["fieldsV1"] == (try JSON.parse(#"{"f:data":{"f:a":{}}}"#)))
        #expect(entry(updated, "creator")?["fieldsV1"] == (try JSON.parse(#"{"f:data":{},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#)))
        #expect(entries(updated).map { $0["manager"] } == ["creator", "controller"], "sorted by time")
    }

    @Test func anUnchangedUpdateKeepsTimes() throws {
        let created = ManagedFields.recordUpdate(old: nil, new: try configMap(#"{"a":"1"}"#), manager: "creator", subresource: nil, now: t1)
        let again = ManagedFields.recordUpdate(old: created, new: created, manager: "other", subresource: nil, now: t2)
        #expect(again == created)
    }

    @Test func managedFieldsResetWithAnEmptyEntry() throws {
        let created = ManagedFields.recordUpdate(old: nil, new: try configMap(#"{"a":"1"}"#), manager: "creator", subresource: nil, now: t1)
        var reset = created
        reset.set([[:]], at: ["metadata", "managedFields"])
        #expect(entries(ManagedFields.recordUpdate(old: created, new: reset, manager: "x", subresource: nil, now: t2)).isEmpty)
        var emptied = created
        emptied.set([], at: ["metadata", "managedFields"])
        #expect(entries(ManagedFields.recordUpdate(old: created, new: emptied, manager: "x", subresource: nil, now: t2)).count == 1)
    }

    @Test func associativeListItemsNeedTheirKeysOnce() throws {
        var missing = try JSON.parse(deployment)
        missing.set([["image": "x"]], at: ["spec", "template", "spec", "containers"])
        let error = #expect(throws: PatchError.self) {
            try ManagedFields.apply(config: missing, to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        }
        #expect(error?.message == #"failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn't have default value)"#)
        var twice = try JSON.parse(deployment)
        twice.set([["name": "a"], ["name": "a"]], at: ["spec", "template", "spec", "containers"])
        let duplicate = #expect(throws: PatchError.self) {
            try ManagedFields.apply(config: twice, to: nil, manager: "kubectl", force: false, subresource: nil, now: t1)
        }
        #expect(duplicate?.message.hasSuffix(#".spec.template.spec.containers: duplicate entries for key [name="a"]"#) == true)
    }

    @Test func createOwnsAddedMapsButNotTheStructsOfBuiltInKinds() throws {
        let created = ManagedFields.recordUpdate(old: nil, new: try JSON.parse(deployment), manager: "kubectl-create", subresource: nil, now: t1)
        let fields = try #require(entry(created, "kubectl-create")?["fieldsV1"])
        #expect(fields["f:spec"]?["."] == nil)
        #expect(fields.value(at: ["f:spec", "f:template", "f:metadata"])?["."] == nil)
        #expect(fields.value(at: ["f:spec", "f:template", "f:metadata", "f:labels", "."]) == [:])
        #expect(fields.value(at: ["f:spec", "f:selector"]) == [:], "the label selector is atomic")
        let service = try JSON.parse(#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"web"}}}"#)
        let serviceFields = try #require(entry(ManagedFields.recordUpdate(old: nil, new: service, manager: "m", subresource: nil, now: t1), "m")?["fieldsV1"])
        #expect(serviceFields == (try JSON.parse(#"{"f:spec":{"f:selector":{".":{},"f:app":{}}}}"#)), "a Service's selector is a plain map")
        let custom = try JSON.parse(#"{"apiVersion":"x.example.com/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"size":1}}"#)
        let customFields = try #require(entry(ManagedFields.recordUpdate(old: nil, new: custom, manager: "m", subresource: nil, now: t1), "m")?["fieldsV1"])
        #expect(customFields == (try JSON.parse(#"{"f:spec":{".":{},"f:size":{}}}"#)))
    }
}
