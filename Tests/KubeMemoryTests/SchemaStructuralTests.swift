import JSONValue
import Testing

@testable import KubeMemory

@Suite struct SchemaStructuralTests {
    let schema: StructuralSchema

    init() throws {
        schema = StructuralSchema(try JSON.parse(#"""
            {"type":"object","properties":{
              "spec":{"type":"object","required":["image"],"properties":{
                "image":{"type":"string","minLength":1,"maxLength":20,"pattern":"^[a-z:0-9.]+$"},
                "replicas":{"type":"integer","default":1,"minimum":0,"maximum":5},
                "ratio":{"type":"number","minimum":0,"exclusiveMinimum":true},
                "mode":{"type":"string","enum":["fast","safe"],"default":"safe"},
                "port":{"x-kubernetes-int-or-string":true},
                "enabled":{"type":"boolean"},
                "note":{"type":"string","nullable":true},
                "since":{"type":"string","format":"date-time"},
                "storage":{"type":"object","default":{},"properties":{"size":{"type":"string","default":"1Gi"},"class":{"type":"string"}}},
                "users":{"type":"array","maxItems":2,"minItems":1,"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                         "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"role":{"type":"string","default":"reader"}}}},
                "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
                "labels":{"type":"object","additionalProperties":{"type":"string"}},
                "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}},
                "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}},
              "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
            """#))
    }

    func object(_ spec: String) throws -> JSON {
        try JSON.parse(#"{"apiVersion":"x.example.com/v1","kind":"Thing","metadata":{"name":"t","labels":{"a":"b"},"odd":1},"spec":\#(spec)}"#)
    }

    // MARK: Pruning

    @Test func pruneDropsUnknownFieldsAndKeepsWhatIsAllowed() throws {
        let pruned = schema.prune(try object(#"""
            {"image":"nginx","bogus":1,"labels":{"x":"y"},
             "extra":{"anything":{"deep":true},"known":{"a":"1","b":"2"}},
             "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1},"junk":2},
             "users":[{"name":"u","unknown":1}]}
            """#))
        let spec = try #require(pruned["spec"])
        #expect(spec["bogus"] == nil)
        #expect(spec["labels"] == ["x": "y"])
        #expect(spec["extra"] == (try JSON.parse(#"{"anything":{"deep":true},"known":{"a":"1"}}"#)))
        #expect(spec["template"] == (try JSON.parse(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}"#)))
        #expect(spec["users"] == [["name": "u"]])
        #expect(pruned["apiVersion"] == "x.example.com/v1")
        #expect(pruned[path: "metadata.labels"] == ["a": "b"], "metadata at the root is never pruned by the schema")
    }

    @Test func pruneDropsNullsOfFieldsThatAreNotNullable() throws {
        let pruned = schema.prune(try object(#"{"image":"x","mode":null,"note":null}"#))
        #expect(pruned[path: "spec"]?["mode"] == nil)
        #expect(pruned[path: "spec"]?["note"] == .null)
    }

    @Test func unknownFieldsAreWhatPruningDropsNamedAsStrictDecodingNamesThem() throws {
        let unknown = schema.unknownFields(try object(#"""
            {"image":"nginx","bogus":1,"labels":{"x":"y"},
             "extra":{"anything":{"deep":true},"known":{"a":"1","b":"2"}},
             "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1},"junk":2},
             "users":[{"name":"u"},{"name":"v","unknown":1}]}
            """#))
        #expect(unknown == ["spec.bogus", "spec.extra.known.b", "spec.template.spec.x", "spec.template.junk", "spec.users[1].unknown"])
        #expect(schema.unknownFields(try object(#"{"image":"nginx","users":[{"name":"u"}]}"#)).isEmpty)
        #expect(StructuralSchema(.string("not a schema")).unknownFields(try object(#"{"x":1}"#)).isEmpty)
    }

    // MARK: Defaults

    @Test func defaultsFillMissingFieldsRecursively() throws {
        let defaulted = schema.applyDefaults(try object(#"{"image":"x","users":[{"name":"a"},{"name":"b","role":"admin"}]}"#))
        let spec = try #require(defaulted["spec"])
        #expect(spec["replicas"] == 1)
        #expect(spec["mode"] == "safe")
        #expect(spec["storage"] == ["size": "1Gi"], "defaults inside a defaulted object apply too")
        #expect(spec["users"] == [["name": "a", "role": "reader"], ["name": "b", "role": "admin"]])
        #expect(defaulted["status"] == nil, "no default, no field")
    }

    @Test func defaultsNeverOverrideGivenValuesAndReplaceNonNullableNulls() throws {
        let defaulted = schema.applyDefaults(try object(#"{"image":"x","replicas":3,"mode":null,"storage":{"size":"5Gi"}}"#))
        #expect(defaulted[path: "spec.replicas"] == 3)
        #expect(defaulted[path: "spec.mode"] == "safe")
        #expect(defaulted[path: "spec.storage"] == ["size": "5Gi"])
    }

    // MARK: Validation

    @Test func aValidObjectHasNoViolations() throws {
        let valid = try object(#"{"image":"nginx:1.25","replicas":2,"ratio":0.5,"mode":"fast","port":"http","enabled":true,"note":null,"since":"2026-01-01T00:00:00Z","users":[{"name":"a"}],"tags":["x","y"],"labels":{"k":"v"}}"#)
        #expect(schema.validate(valid).isEmpty)
        #expect(schema.validate(try object(#"{"image":"x","port":8080}"#)).isEmpty)
    }

    @Test func typeErrorsAreWordedLikeKube() throws {
        let violations = schema.validate(try object(#"{"image":"x","replicas":"two"}"#))
        #expect(violations == [SchemaViolation(
            field: "spec.replicas",
            message: #"Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
            type: "FieldValueTypeInvalid")])
        let boolean = schema.validate(try object(#"{"image":"x","enabled":"yes","port":true}"#))
        #expect(boolean.map(\.field) == ["spec.enabled", "spec.port"])
        #expect(boolean.first?.message == #"Invalid value: "string": spec.enabled in body must be of type boolean: "string""#)
        let notNullable = schema.validate(try object(#"{"image":null}"#))
        #expect(notNullable.first?.message == #"Invalid value: "null": spec.image in body must be of type string: "null""#)
        #expect(schema.validate(try object(#"{"image":"x","replicas":1.5}"#)).first?.message
            == #"Invalid value: "number": spec.replicas in body must be of type integer: "number""#)
    }

    @Test func requiredFieldsAreReported() throws {
        let violations = schema.validate(try object(#"{"users":[{"role":"x"}]}"#))
        #expect(violations.contains(SchemaViolation(field: "spec.image", message: "Required value", type: "FieldValueRequired")))
        #expect(violations.contains(SchemaViolation(field: "spec.users[0].name", message: "Required value", type: "FieldValueRequired")))
    }

    @Test func enumsListTheSupportedValues() throws {
        #expect(schema.validate(try object(#"{"image":"x","mode":"slow"}"#)) == [SchemaViolation(
            field: "spec.mode", message: #"Unsupported value: "slow": supported values: "fast", "safe""#, type: "FieldValueNotSupported")])
    }

    @Test func boundsAndLengths() throws {
        #expect(schema.validate(try object(#"{"image":"x","replicas":9}"#)).first?.message
            == "Invalid value: 9: spec.replicas in body should be less than or equal to 5")
        #expect(schema.validate(try object(#"{"image":"x","replicas":-1}"#)).first?.message
            == "Invalid value: -1: spec.replicas in body should be greater than or equal to 0")
        #expect(schema.validate(try object(#"{"image":"x","ratio":0}"#)).first?.message
            == "Invalid value: 0: spec.ratio in body should be greater than 0")
        #expect(schema.validate(try object(#"{"image":""}"#)).map(\.message).contains(
            #"Invalid value: "": spec.image in body should be at least 1 chars long"#))
        let long = schema.validate(try object(#"{"image":"abcdefghijklmnopqrstuvwxyz"}"#))
        #expect(long == [SchemaViolation(field: "spec.image", message: "Too long: may not be more than 20 bytes", type: "FieldValueTooLong")])
        #expect(schema.validate(try object(#"{"image":"UPPER"}"#)).first?.message
            == #"Invalid value: "UPPER": spec.image in body should match '^[a-z:0-9.]+$'"#)
        #expect(schema.validate(try object(#"{"image":"x","since":"yesterday"}"#)).first?.field == "spec.since")
    }

    @Test func listsAreCheckedForSizeAndDuplicates() throws {
        let many = schema.validate(try object(#"{"image":"x","users":[{"name":"a"},{"name":"b"},{"name":"c"}]}"#))
        #expect(many == [SchemaViolation(field: "spec.users", message: "Too many: 3: must have at most 2 items", type: "FieldValueTooMany")])
        let duplicateKeys = schema.validate(try object(#"{"image":"x","users":[{"name":"a"},{"name":"a"}]}"#))
        #expect(duplicateKeys.map(\.type) == ["FieldValueDuplicate"])
        #expect(duplicateKeys.first?.field == "spec.users[1]")
        let duplicateValues = schema.validate(try object(#"{"image":"x","tags":["a","a"]}"#))
        #expect(duplicateValues == [SchemaViolation(field: "spec.tags[1]", message: #"Duplicate value: "a""#, type: "FieldValueDuplicate")])
        #expect(schema.validate(try object(#"{"image":"x","users":[]}"#)).first?.message.contains("should have at least 1 items") == true)
    }

    @Test func mapValuesAreCheckedUnderTheirKey() throws {
        #expect(schema.validate(try object(#"{"image":"x","labels":{"k":1}}"#)).first?.field == "spec.labels[k]")
    }

    // MARK: List types for server-side apply

    @Test func listTypesAreExposed() throws {
        #expect(schema.listType(at: ["spec", "users"]) == .map(keys: ["name"]))
        #expect(schema.listMapKeys(at: ["spec", "users"]) == ["name"])
        #expect(schema.listType(at: ["spec", "tags"]) == .set)
        #expect(schema.listType(at: ["spec", "image"]) == nil)
        #expect(ListSemantics.schema(schema).listType(at: ["metadata", "finalizers"]) == .set)
        #expect(ListSemantics.schema(schema).listType(at: ["spec", "nothing"]) == .atomic)
        #expect(ListSemantics.schema(schema).isAtomicMap(at: ["spec", "storage"]) == false)
        let atomic = StructuralSchema(["type": "object", "properties": ["spec": ["type": "object", "x-kubernetes-map-type": "atomic"]]])
        #expect(ListSemantics.schema(atomic).isAtomicMap(at: ["spec"]))
    }

    @Test func anUnusableSchemaAcceptsEverything() throws {
        let none = StructuralSchema(.string("not a schema"))
        let value = try object(#"{"a":1}"#)
        #expect(none.validate(value).isEmpty)
        #expect(none.applyDefaults(value) == value)
        #expect(none.prune(value) == value)
    }
}
