import JSONValue
import Platform

extension StructuralSchema {
    /// Every way the object breaks the schema, worded as kube-apiserver words CRD
    /// validation errors. `apiVersion`, `kind` and `metadata` of the root are checked by the
    /// API server itself, not here. An empty result means the object is valid.
    func validate(_ object: JSON) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        check(object, path: "", isResource: true, into: &violations)
        return violations
    }

    private func check(_ value: JSON, path: String, isResource: Bool, into violations: inout [SchemaViolation]) {
        if case .null = value {
            if !nullable, let type {
                violations.append(typeInvalid(path, expected: type, actual: "null"))
            }
            return
        }
        if isIntOrString {
            guard value.int != nil || value.string != nil else {
                violations.append(typeInvalid(path, expected: "integer-or-string", actual: Self.goTypeName(value)))
                return
            }
        } else if let type, !Self.matches(value, type: type) {
            violations.append(typeInvalid(path, expected: type, actual: Self.goTypeName(value)))
            return
        }
        if let allowed = node["enum"]?.array, !allowed.contains(value) {
            let list = allowed.map { "\"\(Self.plain($0))\"" }.joined(separator: ", ")
            violations.append(SchemaViolation(
                field: path, message: "Unsupported value: \(Self.shown(value)): supported values: \(list)",
                type: "FieldValueNotSupported"))
        }
        switch value {
        case .string(let string): checkString(string, path: path, into: &violations)
        case .int, .double: checkNumber(value, path: path, into: &violations)
        case .array(let elements): checkArray(elements, path: path, into: &violations)
        case .object(let fields): checkObject(fields, path: path, isResource: isResource, into: &violations)
        default: break
        }
    }

    private func checkObject(_ fields: JSONObject, path: String, isResource: Bool, into violations: inout [SchemaViolation]) {
        for name in node["required"]?.array?.compactMap(\.string) ?? [] where fields[name] == nil {
            if isResource, Self.resourceFields.contains(name) { continue }
            violations.append(SchemaViolation(field: Self.join(path, name), message: "Required value", type: "FieldValueRequired"))
        }
        for (key, child) in fields {
            if isResource, Self.resourceFields.contains(key) { continue }
            if let schema = property(key) {
                schema.check(child, path: Self.join(path, key), isResource: schema.isEmbeddedResource, into: &violations)
            } else if let schema = additionalProperties {
                schema.check(child, path: "\(path)[\(key)]", isResource: schema.isEmbeddedResource, into: &violations)
            }
        }
    }

    private func checkArray(_ elements: [JSON], path: String, into violations: inout [SchemaViolation]) {
        if let min = node["minItems"]?.int, elements.count < min {
            violations.append(invalid(path, .array(elements), "should have at least \(min) items"))
        }
        if let max = node["maxItems"]?.int, elements.count > max {
            violations.append(SchemaViolation(
                field: path, message: "Too many: \(elements.count): must have at most \(max) items", type: "FieldValueTooMany"))
        }
        switch node["x-kubernetes-list-type"]?.string {
        case "set"?:
            var seen: Set<JSON> = []
            for (index, element) in elements.enumerated() where !seen.insert(element).inserted {
                violations.append(SchemaViolation(field: "\(path)[\(index)]", message: "Duplicate value: \(Self.shown(element))", type: "FieldValueDuplicate"))
            }
        case "map"?:
            let keys = listMapKeys ?? []
            var seen: Set<JSON> = []
            for (index, element) in elements.enumerated() {
                var key = JSONObject()
                for name in keys { key[name] = element[name] ?? .null }
                if !seen.insert(.object(key)).inserted {
                    violations.append(SchemaViolation(field: "\(path)[\(index)]", message: "Duplicate value: \(JSON.object(key).serialized())", type: "FieldValueDuplicate"))
                }
            }
        default:
            break
        }
        guard let items else { return }
        for (index, element) in elements.enumerated() {
            items.check(element, path: "\(path)[\(index)]", isResource: items.isEmbeddedResource, into: &violations)
        }
    }

    private func checkString(_ string: String, path: String, into violations: inout [SchemaViolation]) {
        let length = string.count
        if let min = node["minLength"]?.int, length < min {
            violations.append(invalid(path, .string(string), "should be at least \(min) chars long"))
        }
        if let max = node["maxLength"]?.int, length > max {
            violations.append(SchemaViolation(field: path, message: "Too long: may not be more than \(max) bytes", type: "FieldValueTooLong"))
        }
        if let pattern = node["pattern"]?.string, PatternMatch.contains(string, pattern: pattern) == false {
            violations.append(invalid(path, .string(string), "should match '\(pattern)'"))
        }
        if node["format"]?.string == "date-time", !Self.looksLikeDateTime(string) {
            violations.append(invalid(path, .string(string), "must be of type date-time"))
        }
    }

    private func checkNumber(_ number: JSON, path: String, into violations: inout [SchemaViolation]) {
        guard let value = number.double else { return }
        if let min = node["minimum"], let bound = min.double {
            if node["exclusiveMinimum"]?.bool == true, value <= bound {
                violations.append(invalid(path, number, "should be greater than \(Self.plain(min))"))
            } else if value < bound {
                violations.append(invalid(path, number, "should be greater than or equal to \(Self.plain(min))"))
            }
        }
        if let max = node["maximum"], let bound = max.double {
            if node["exclusiveMaximum"]?.bool == true, value >= bound {
                violations.append(invalid(path, number, "should be less than \(Self.plain(max))"))
            } else if value > bound {
                violations.append(invalid(path, number, "should be less than or equal to \(Self.plain(max))"))
            }
        }
        if let multiple = node["multipleOf"], let step = multiple.double, step > 0,
           (value / step).rounded() != value / step {
            violations.append(invalid(path, number, "should be a multiple of \(Self.plain(multiple))"))
        }
        switch node["format"]?.string {
        case "int32"?:
            if value < -2_147_483_648 || value > 2_147_483_647 { violations.append(invalid(path, number, "must be of type int32")) }
        default:
            break
        }
    }

    // MARK: Wording

    private func typeInvalid(_ path: String, expected: String, actual: String) -> SchemaViolation {
        SchemaViolation(
            field: path,
            message: "Invalid value: \"\(actual)\": \(Self.subject(path)) in body must be of type \(expected): \"\(actual)\"",
            type: "FieldValueTypeInvalid")
    }

    private func invalid(_ path: String, _ value: JSON, _ detail: String) -> SchemaViolation {
        SchemaViolation(field: path, message: "Invalid value: \(Self.shown(value)): \(Self.subject(path)) in body \(detail)", type: "FieldValueInvalid")
    }

    /// How kube-openapi names the root in messages.
    private static func subject(_ path: String) -> String { path.isEmpty ? "body" : path }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// A bad value as field errors print it: strings quoted, numbers and booleans bare.
    static func shown(_ value: JSON) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        default: return value.serialized()
        }
    }

    /// A value as `%v` prints it: strings without quotes.
    static func plain(_ value: JSON) -> String {
        if case .string(let s) = value { return s }
        return value.serialized()
    }

    /// JSON schema type names, as Go's validator names the value it got.
    static func goTypeName(_ value: JSON) -> String {
        switch value {
        case .int: return "integer"
        case .double(let d): return d.rounded() == d ? "integer" : "number"
        case .bool: return "boolean"
        default: return value.typeName
        }
    }

    static func matches(_ value: JSON, type: String) -> Bool {
        switch type {
        case "object": return value.object != nil
        case "array": return value.array != nil
        case "string": return value.string != nil
        case "integer": return value.int != nil
        case "number": return value.isNumber
        case "boolean": return value.bool != nil
        default: return true
        }
    }

    /// A loose RFC 3339 check: `2006-01-02T15:04:05` followed by anything (fraction, zone).
    static func looksLikeDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) else { return false }
        return bytes[4] == 0x2D && bytes[7] == 0x2D && (bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20)
            && bytes[13] == 0x3A && bytes[16] == 0x3A
    }
}
