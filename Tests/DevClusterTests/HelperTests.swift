@testable import DevCluster
import JSONValue
import Testing

@Suite struct HelperTests {
    @Test func resourcePaths() {
        #expect(ResourcePath(path: "/api/v1/namespaces/ns/pods/p/status") ==
                ResourcePath(group: "", version: "v1", namespace: "ns", resource: "pods", name: "p", subresource: "status"))
        #expect(ResourcePath(path: "/apis/apps/v1/deployments") == ResourcePath(group: "apps", version: "v1", resource: "deployments"))
        #expect(ResourcePath(path: "/api/v1/namespaces/ns") == ResourcePath(group: "", version: "v1", resource: "namespaces", name: "ns"))
        #expect(ResourcePath(path: "/api/v1/namespaces/ns/status") ==
                ResourcePath(group: "", version: "v1", resource: "namespaces", name: "ns", subresource: "status"))
        #expect(ResourcePath(path: "/api/v1/namespaces/ns/configmaps") ==
                ResourcePath(group: "", version: "v1", namespace: "ns", resource: "configmaps"))
        #expect(ResourcePath(path: "/api/v1") == nil)
        #expect(ResourcePath(path: "/api/v1/namespaces/ns/pods/p/exec/extra") == nil)
        #expect(ResourcePath(path: "/api/v1/namespaces//pods") == nil)
    }

    @Test func acceptNegotiation() {
        #expect(MediaType.objectRendering(accept: nil) == .json)
        #expect(MediaType.objectRendering(accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json") == .table(version: "v1"))
        #expect(MediaType.objectRendering(accept: "application/vnd.kubernetes.protobuf") == nil)
        #expect(MediaType.objectRendering(accept: "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, */*") == .json)
        #expect(MediaType.discoveryRendering(accept: MediaType.discoveryV2 + ",application/json") == "v2")
        #expect(MediaType.discoveryRendering(accept: "application/json") == "")
        #expect(MediaType.bareType("application/merge-patch+json; charset=utf-8") == "application/merge-patch+json")
    }

    @Test func queryDecoding() {
        let r = APIRequest(method: "GET", uri: "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=1&watch=0")
        #expect(r.query["labelSelector"] == "app=web,tier in (a)")
        #expect(r.flag("watch"))
        #expect(!r.flag("missing"))
    }

    @Test func timestampsAndAges() {
        #expect(WallClock.parse("1970-01-01T00:00:00Z") == 0)
        #expect(WallClock.parse("2024-02-29T12:00:00Z") == 1_709_208_000)
        #expect(WallClock.parse("2024-02-29T12:00:00.123456Z") == 1_709_208_000)
        #expect(WallClock.parse("2024-02-29T14:00:00+02:00") == 1_709_208_000)
        #expect(WallClock.parse("yesterday") == nil)
        #expect(WallClock.humanDuration(5) == "5s")
        #expect(WallClock.humanDuration(125) == "2m5s")
        #expect(WallClock.humanDuration(3600) == "60m")
        #expect(WallClock.humanDuration(5 * 3600 + 60) == "5h1m")
        #expect(WallClock.humanDuration(30 * 3600) == "30h")
        #expect(WallClock.humanDuration(3 * 86400 + 3600) == "3d1h")
        #expect(WallClock.humanDuration(400 * 86400) == "400d")
        #expect(WallClock.humanDuration(-1) == "<invalid>")
    }

    @Test func printerColumnPaths() {
        let object: JSON = ["status": ["conditions": [["type": "Ready", "status": "True"], ["type": "Synced", "status": "False"]]],
                            "spec": ["items": [1, 2, 3]]]
        #expect(SimpleJSONPath(".status.conditions[?(@.type==\"Synced\")].status")?.evaluate(object) == "False")
        #expect(SimpleJSONPath(".spec.items[1]")?.evaluate(object) == 2)
        #expect(SimpleJSONPath(".spec.items[-1]")?.evaluate(object) == 3)
        #expect(SimpleJSONPath(".spec.missing")?.evaluate(object) == nil)
        #expect(SimpleJSONPath("..bad") == nil)
    }

    @Test func versionPriority() {
        let sorted = ["v1beta1", "v2alpha1", "v1", "v2", "v1beta2", "foo"].sorted { Discovery.versionRank($0) < Discovery.versionRank($1) }
        #expect(sorted == ["v2", "v1", "v1beta2", "v1beta1", "v2alpha1", "foo"])
    }

    @Test func base64() {
        #expect(Base64.encode(Array("".utf8)) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode([0xFF, 0xFE]) == "//4=")
    }
}
