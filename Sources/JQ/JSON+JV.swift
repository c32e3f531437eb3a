import CJQ
import JSONValue

// Conversions between the project's JSON and libjq's `jv`, built value by value (never via
// text). They are internal: a `jv` must never leave this module (see JQWorker).
//
// Ownership follows libjq: most jv functions consume their arguments, so every read that
// must keep a value alive goes through `jv_copy`.

extension JSON {
    /// A new, owned `jv` for this value. Integers beyond 2^53 lose precision (jq numbers are doubles).
    func makeJV() -> jv {
        switch self {
        case .null: return jv_null()
        case .bool(let b): return b ? jv_true() : jv_false()
        case .int(let i): return jv_number(Double(i))
        case .double(let d): return jv_number(d)
        case .string(let s): return Self.makeJVString(s)
        case .array(let elements):
            var result = jv_array_sized(Int32(clamping: elements.count))
            for element in elements { result = jv_array_append(result, element.makeJV()) }
            return result
        case .object(let members):
            var result = jv_object()
            for (key, value) in members {
                result = jv_object_set(result, Self.makeJVString(key), value.makeJV())
            }
            return result
        }
    }

    static func makeJVString(_ s: String) -> jv {
        var s = s
        return s.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                jv_string_sized(chars.baseAddress, Int32(clamping: chars.count))
            }
        }
    }

    /// Converts and CONSUMES `value`. An invalid `jv` becomes null. Values nested deeper
    /// than `JSON.maximumDepth` (jq can build them: `reduce range(1e5) as $i (0; [.])`)
    /// are an error rather than a stack overflow.
    static func converting(consuming value: jv) throws(JQEvaluationError) -> JSON {
        defer { jv_free(value) }
        return try converting(borrowing: value, depth: 0)
    }

    /// Converts without consuming `value`.
    static func converting(borrowing value: jv, depth: Int = 0) throws(JQEvaluationError) -> JSON {
        switch jv_get_kind(value) {
        case JV_KIND_NULL, JV_KIND_INVALID: return .null
        case JV_KIND_TRUE: return .bool(true)
        case JV_KIND_FALSE: return .bool(false)
        case JV_KIND_NUMBER: return number(jv_number_value(value))
        case JV_KIND_STRING: return .string(string(borrowing: value))
        case JV_KIND_ARRAY:
            guard depth < JSON.maximumDepth else { throw tooDeep }
            let count = Int(jv_array_length(jv_copy(value)))
            var elements: [JSON] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                let element = jv_array_get(jv_copy(value), Int32(index))
                defer { jv_free(element) }
                elements.append(try converting(borrowing: element, depth: depth + 1))
            }
            return .array(elements)
        case JV_KIND_OBJECT:
            guard depth < JSON.maximumDepth else { throw tooDeep }
            var members = JSONObject(minimumCapacity: Int(jv_object_length(jv_copy(value))))
            var iterator = jv_object_iter(value)
            while jv_object_iter_valid(value, iterator) != 0 {
                let key = jv_object_iter_key(value, iterator)
                let name = string(borrowing: key)
                jv_free(key)
                let member = jv_object_iter_value(value, iterator)
                defer { jv_free(member) }
                members[name] = try converting(borrowing: member, depth: depth + 1)
                iterator = jv_object_iter_next(value, iterator)
            }
            return .object(members)
        default: return .null
        }
    }

    private static var tooDeep: JQEvaluationError {
        JQEvaluationError(message: "the result is nested deeper than \(JSON.maximumDepth) levels")
    }

    /// Converts and CONSUMES `value`; too deep a value becomes null (for error values and
    /// callback arguments, where null is a safe answer).
    init(consuming value: jv) {
        self = (try? Self.converting(consuming: value)) ?? .null
    }

    /// Converts without consuming `value`; too deep a value becomes null.
    init(borrowing value: jv) {
        self = (try? Self.converting(borrowing: value)) ?? .null
    }

    /// Integral numbers that a double represents exactly become `.int`, so `replicas: 1`
    /// stays `1`. NaN becomes null and infinities the largest doubles, as jq prints them.
    private static func number(_ d: Double) -> JSON {
        if d.isNaN { return .null }
        if d.isInfinite { return .double(d < 0 ? -Double.greatestFiniteMagnitude : Double.greatestFiniteMagnitude) }
        if d.rounded() == d, abs(d) <= 9_007_199_254_740_992 { return .int(Int(d)) }
        return .double(d)
    }

    static func string(borrowing value: jv) -> String {
        let length = Int(jv_string_length_bytes(jv_copy(value)))
        guard let pointer = jv_string_value(value) else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
