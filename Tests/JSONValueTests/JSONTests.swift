import Testing
import JSONValue

@Suite struct JSONParseTests {
    @Test func roundTripKeepsKeyOrderAndIntegers() throws {
        let text = #"{"b":1,"a":[true,false,null,1.5,"x\n\u00e9"],"c":{"z":-3,"y":1e3}}"#
        let v = try JSON.parse(text)
        #expect(v["b"] == .int(1))
        #expect(v["c"]?["y"] == .double(1000))
        #expect(v.serialized() == #"{"b":1,"a":[true,false,null,1.5,"x\né"],"c":{"z":-3,"y":1000}}"#)
    }
}
