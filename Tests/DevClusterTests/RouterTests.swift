import DevCluster
import JSONValue
import Kube
import KubeMemory
import Testing

/// The router against a real MemoryCluster, without sockets.
@Suite struct RouterTests {
    @Test func aggregatedDiscoveryWhenAskedFor() async throws {
        let router = Fixtures.router()
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        let apis = await router.handle(Fixtures.request("GET", "/apis", accept: accept))
        #expect(apis.status == 200)
        #expect(apis.contentType == MediaType.discoveryV2)
        #expect(apis.json["kind"] == "APIGroupDiscoveryList")
        let apps = apis.json["items"]?.array?.first { $0["metadata"]?["name"] == "apps" }
        let deployments = apps?["versions"]?[0]?["resources"]?.array?.first { $0["resource"] == "deployments" }
        #expect(deployments?["scope"] == "Namespaced")
        #expect(deployments?["responseKind"]?["kind"] == "Deployment")
        let subresources = deployments?["subresources"]?.array?.compactMap { $0["subresource"]?.string } ?? []
        #expect(subresources.contains("scale") && subresources.contains("status"))

        let core = await router.handle(Fixtures.request("GET", "/api", accept: accept))
        #expect(core.json["items"]?[0]?["metadata"]?["name"] == nil)
        #expect(core.json["items"]?[0]?["versions"]?[0]?["version"] == "v1")

        let beta = await router.handle(Fixtures.request("GET", "/apis", accept: MediaType.discoveryV2beta1))
        #expect(beta.contentType == MediaType.discoveryV2beta1)
        #expect(beta.json["apiVersion"] == "apidiscovery.k8s.io/v2beta1")
    }

    @Test func legacyDiscoveryDocuments() async throws {
        let router = Fixtures.router()
        let api = await router.handle(Fixtures.request("GET", "/api", accept: "application/json"))
        #expect(api.json["kind"] == "APIVersions")
        #expect(api.json["versions"] == ["v1"])
        let viaHost = await router.handle(APIRequest(method: "GET", uri: "/api", headers: ["Host": "127.0.0.1:4321"]))
        #expect(viaHost.json["serverAddressByClientCIDRs"]?[0]?["serverAddress"] == "127.0.0.1:4321")
        let groups = await router.handle(Fixtures.request("GET", "/apis"))
        #expect(groups.json["kind"] == "APIGroupList")
        let apps = await router.handle(Fixtures.request("GET", "/apis/apps"))
        #expect(apps.json["kind"] == "APIGroup")
        #expect(apps.json["preferredVersion"]?["groupVersion"] == "apps/v1")
        let list = await router.handle(Fixtures.request("GET", "/apis/apps/v1"))
        let names = list.json["resources"]?.array?.compactMap { $0["name"]?.string } ?? []
        #expect(names.contains("deployments") && names.contains("deployments/status") && names.contains("deployments/scale"))
        let scale = list.json["resources"]?.array?.first { $0["name"] == "deployments/scale" }
        #expect(scale?["kind"] == "Scale")
        #expect(scale?["group"] == "autoscaling")
        let missing = await router.handle(Fixtures.request("GET", "/apis/nope.example.com/v1"))
        #expect(missing.status == 404)
        #expect(missing.json["kind"] == "Status")
    }

    @Test func versionAndHealth() async throws {
        let router = Fixtures.router()
        let version = await router.handle(Fixtures.request("GET", "/version"))
        #expect(version.json["gitVersion"] == "v1.32.0")
        for path in ["/healthz", "/readyz", "/livez"] {
            let r = await router.handle(Fixtures.request("GET", path))
            #expect(r.status == 200)
            #expect(r.bodyBytes == Array("ok".utf8))
        }
    }

    @Test func createGetListAndErrorsAsStatus() async throws {
        let router = Fixtures.router()
        let created = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps",
                                                           contentType: "application/json", body: Fixtures.configMap("c1", labels: ["app": "web"])))
        #expect(created.status == 201)
        #expect(created.json["metadata"]?["namespace"] == "default")
        let again = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps",
                                                         contentType: "application/json", body: Fixtures.configMap("c1")))
        #expect(again.status == 409)
        #expect(again.json["reason"] == "AlreadyExists")
        let got = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps/c1"))
        #expect(got.json["data"]?["a"] == "1")
        let selected = await router.handle(Fixtures.request("GET", "/api/v1/configmaps?labelSelector=app%3Dweb"))
        #expect(selected.json["items"]?.array?.count == 1)
        let none = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Ddb"))
        #expect(none.json["items"]?.array?.count == 0)
        let missing = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps/nope"))
        #expect(missing.status == 404)
        #expect(missing.json["message"] == "configmaps \"nope\" not found")
        let unknown = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/gizmos"))
        #expect(unknown.status == 404)
        #expect(unknown.json["message"] == "the server could not find the requested resource")
    }

    @Test func namespaceOfBodyMustMatchThePath() async throws {
        let router = Fixtures.router()
        var body = Fixtures.configMap("c1")
        body.set("other", at: ["metadata", "namespace"])
        let r = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps", contentType: "application/json", body: body))
        #expect(r.status == 400)
        #expect(r.json["message"]?.string?.contains("does not match the namespace") == true)
    }

    @Test func mediaTypesRefusedWithTheRightCodes() async throws {
        let router = Fixtures.router()
        let protobufOnly = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps", accept: "application/vnd.kubernetes.protobuf"))
        #expect(protobufOnly.status == 406)
        let either = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps", accept: "application/vnd.kubernetes.protobuf, application/json"))
        #expect(either.status == 200)
        #expect(either.json["kind"] == "ConfigMapList")
        let cbor = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps", contentType: "application/cbor", body: Fixtures.configMap("c1")))
        #expect(cbor.status == 415)
        #expect(cbor.json["reason"] == "UnsupportedMediaType")
        let notProtobuf = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps", contentType: "application/vnd.kubernetes.protobuf", body: Fixtures.configMap("c1")))
        #expect(notProtobuf.status == 400)
        _ = await router.handle(Fixtures.request("POST", "/api/v1/namespaces/default/configmaps", contentType: "application/json", body: Fixtures.configMap("c1")))
        let badPatch = await router.handle(Fixtures.request("PATCH", "/api/v1/namespaces/default/configmaps/c1", contentType: "text/plain", body: ["data": ["b": "2"]]))
        #expect(badPatch.status == 415)
        let notJSON = await router.handle(APIRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps", headers: ["Content-Type": "application/json"], body: Array("{nope".utf8)))
        #expect(notJSON.status == 400)
        let wrongMethod = await router.handle(Fixtures.request("PUT", "/api/v1/namespaces/default/configmaps"))
        #expect(wrongMethod.status == 405)
    }

    @Test func yamlBodiesAreAccepted() async throws {
        let router = Fixtures.router()
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  k: v\n"
        let r = await router.handle(APIRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps", headers: ["Content-Type": "application/yaml"], body: Array(yaml.utf8)))
        #expect(r.status == 201)
        #expect(r.json["data"]?["k"] == "v")
        let apply = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y2\ndata:\n  k: w\n"
        let applied = await router.handle(APIRequest(method: "PATCH", uri: "/api/v1/namespaces/default/configmaps/y2?fieldManager=test",
                                                     headers: ["Content-Type": PatchType.apply.rawValue], body: Array(apply.utf8)))
        #expect(applied.status == 201)
        #expect(applied.json["data"]?["k"] == "w")
    }

    @Test func tablesForKubectlGet() async throws {
        let cluster = MemoryCluster()
        let router = Fixtures.router(cluster)
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("c1"))
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
        let list = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps", accept: accept))
        #expect(list.contentType == MediaType.tableV1)
        #expect(list.json["kind"] == "Table")
        let columns = list.json["columnDefinitions"]?.array?.compactMap { $0["name"]?.string }
        #expect(columns == ["Name", "Data", "Age"])
        #expect(list.json["rows"]?[0]?["cells"]?[0] == "c1")
        #expect(list.json["rows"]?[0]?["cells"]?[1] == 1)
        #expect(list.json["rows"]?[0]?["object"]?["kind"] == "PartialObjectMetadata")
        let single = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps/c1?includeObject=Object", accept: accept))
        #expect(single.json["rows"]?.array?.count == 1)
        #expect(single.json["rows"]?[0]?["object"]?["kind"] == "ConfigMap")
        let plain = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps/c1", accept: "application/json"))
        #expect(plain.json["kind"] == "ConfigMap")
    }

    @Test func crdPrinterColumnsAndOpenAPISchema() async throws {
        let cluster = MemoryCluster()
        let router = Fixtures.router(cluster)
        _ = try await cluster.create(Fixtures.crds, namespace: nil, body: Fixtures.widgetCRD)
        let widget: JSON = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w1"], "spec": ["size": 3]]
        let created = await router.handle(Fixtures.request("POST", "/apis/example.com/v1/namespaces/default/widgets", contentType: "application/json", body: widget))
        #expect(created.status == 201)
        let table = await router.handle(Fixtures.request("GET", "/apis/example.com/v1/namespaces/default/widgets", accept: MediaType.tableV1))
        #expect(table.json["columnDefinitions"]?.array?.compactMap { $0["name"]?.string } == ["Name", "Size"])
        #expect(table.json["rows"]?[0]?["cells"] == ["w1", 3])

        let index = await router.handle(Fixtures.request("GET", "/openapi/v3"))
        let url = index.json["paths"]?["apis/example.com/v1"]?["serverRelativeURL"]?.string ?? ""
        #expect(url.hasPrefix("/openapi/v3/apis/example.com/v1?hash="))
        let doc = await router.handle(Fixtures.request("GET", url))
        #expect(doc.status == 200)
        let schema = doc.json["components"]?["schemas"]?["com.example.v1.Widget"]
        #expect(schema?["properties"]?["spec"]?["properties"]?["size"]?["type"] == "integer")
        #expect(schema?["x-kubernetes-group-version-kind"] == [["group": "example.com", "kind": "Widget", "version": "v1"]])
        let patch = doc.json["paths"]?["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]?["patch"]
        let parameters = patch?["parameters"]?.array?.compactMap { $0["name"]?.string } ?? []
        #expect(parameters.contains("fieldValidation"))
        #expect(patch?["x-kubernetes-group-version-kind"]?["kind"] == "Widget")
    }

    @Test func openAPIHashChangesWithTheSchemas() async throws {
        let cluster = MemoryCluster()
        let router = Fixtures.router(cluster)
        let before = await router.handle(Fixtures.request("GET", "/openapi/v3"))
        #expect(before.json["paths"]?["apis/example.com/v1"] == nil)
        let core = before.json["paths"]?["api/v1"]?["serverRelativeURL"]
        _ = try await cluster.create(Fixtures.crds, namespace: nil, body: Fixtures.widgetCRD)
        let after = await router.handle(Fixtures.request("GET", "/openapi/v3"))
        #expect(after.json["paths"]?["apis/example.com/v1"] != nil)
        #expect(after.json["paths"]?["api/v1"]?["serverRelativeURL"] == core)
        let v2 = await router.handle(Fixtures.request("GET", "/openapi/v2", accept: "application/json"))
        #expect(v2.json["swagger"] == "2.0")
        #expect(v2.json["definitions"]?["com.example.v1.Widget"] != nil)
        let v2pb = await router.handle(Fixtures.request("GET", "/openapi/v2", accept: OpenAPIDocuments.v2ProtobufType))
        #expect(v2pb.contentType == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        #expect(v2pb.bodyBytes.prefix(5) == [0x0A, 0x03, 0x32, 0x2E, 0x30])
    }

    @Test func tokenIsCheckedOnlyWhenSent() async throws {
        let router = Fixtures.router(token: "secret")
        let anonymous = await router.handle(Fixtures.request("GET", "/version"))
        #expect(anonymous.status == 200)
        let right = await router.handle(APIRequest(method: "GET", uri: "/version", headers: ["Authorization": "Bearer secret"]))
        #expect(right.status == 200)
        let wrong = await router.handle(APIRequest(method: "GET", uri: "/version", headers: ["Authorization": "Bearer nope"]))
        #expect(wrong.status == 401)
        #expect(wrong.json["reason"] == "Unauthorized")
    }

    @Test func deleteReportsPendingFinalizersWith202() async throws {
        let cluster = MemoryCluster()
        let router = Fixtures.router(cluster)
        var held = Fixtures.configMap("held")
        held.set(["example.com/hold"], at: ["metadata", "finalizers"])
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: held)
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("free"))
        let pending = await router.handle(APIRequest(method: "DELETE", uri: "/api/v1/namespaces/default/configmaps/held",
                                                     headers: ["Content-Type": "application/json"], body: Array(#"{"propagationPolicy":"Background"}"#.utf8)))
        #expect(pending.status == 202)
        #expect(pending.json["metadata"]?["deletionTimestamp"] != nil)
        let gone = await router.handle(Fixtures.request("DELETE", "/api/v1/namespaces/default/configmaps/free"))
        #expect(gone.status == 200)
        let badPolicy = await router.handle(Fixtures.request("DELETE", "/api/v1/namespaces/default/configmaps/held?propagationPolicy=Sometimes"))
        #expect(badPolicy.status == 400)
    }

    @Test func deleteCollectionHonoursTheSelector() async throws {
        let cluster = MemoryCluster()
        let router = Fixtures.router(cluster)
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("a", labels: ["app": "x"]))
        _ = try await cluster.create(Fixtures.configMaps, namespace: "default", body: Fixtures.configMap("b", labels: ["app": "y"]))
        let r = await router.handle(Fixtures.request("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx"))
        #expect(r.status == 200)
        #expect(r.json["items"]?.array?.count == 1)
        let left = try await cluster.list(Fixtures.configMaps, namespace: "default")
        #expect(left["items"]?.array?.compactMap { $0["metadata"]?["name"]?.string } == ["b"])
    }

    @Test func faultsReachTheClientWithRetryAfter() async throws {
        let cluster = MemoryCluster()
        cluster.addFault(FaultRule(verbs: ["list"], resource: "configmaps", times: 1, action: .error(code: 429, retryAfterSeconds: 3)))
        let router = Fixtures.router(cluster)
        let r = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps"))
        #expect(r.status == 429)
        #expect(r.retryAfterSeconds == 3)
        let next = await router.handle(Fixtures.request("GET", "/api/v1/namespaces/default/configmaps"))
        #expect(next.status == 200)
    }

    /// `kubectl create configmap c2 --from-literal=a=b` as kubectl 1.32 sends it.
    static let configMapProtobuf: [UInt8] = {
        func s(_ t: String) -> [UInt8] { [UInt8(t.utf8.count)] + Array(t.utf8) }
        let meta: [UInt8] = [0x0A] + s("c2") + [0x12, 0, 0x1A, 0, 0x22, 0, 0x2A, 0, 0x32, 0, 0x38, 0, 0x42, 0]
        let entry: [UInt8] = [0x0A] + s("a") + [0x12] + s("b")
        let raw: [UInt8] = [0x0A, UInt8(meta.count)] + meta + [0x12, UInt8(entry.count)] + entry
        let typeMeta: [UInt8] = [0x0A] + s("v1") + [0x12] + s("ConfigMap")
        return [0x6B, 0x38, 0x73, 0x00, 0x0A, UInt8(typeMeta.count)] + typeMeta + [0x12, UInt8(raw.count)] + raw + [0x1A, 0, 0x22, 0]
    }()

    @Test func protobufBodiesOfKubectlCreateAreDecoded() async throws {
        let router = Fixtures.router()
        let r = await router.handle(APIRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps",
                                               headers: ["Content-Type": "application/vnd.kubernetes.protobuf"], body: Self.configMapProtobuf))
        #expect(r.status == 201)
        #expect(r.json["metadata"]?["name"] == "c2")
        #expect(r.json["metadata"]?["namespace"] == "default")
        #expect(r.json["data"] == ["a": "b"])
        var truncated = Self.configMapProtobuf
        truncated.removeLast(8)
        let bad = await router.handle(APIRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps",
                                                 headers: ["Content-Type": "application/vnd.kubernetes.protobuf"], body: truncated))
        #expect(bad.status == 400)
    }
}
