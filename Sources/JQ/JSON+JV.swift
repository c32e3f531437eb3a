import CJQ
import JSONValue

// Conversions between the project's JSON and libjq's `jv`, built value by value (never via
// text). They are internal: a `jv` must never leave this module (see JQWorker).
//
// Ownership follows libjq: most jv functions consume their arguments, so every read that
// must keep a value alive goes through `jv_copy`.

extension JSON {
    /// A new, owned `jv` for this value. Integers beyond 2^53 lose precision (jq numbers are
    /// doubles). Without recursion: the arrays and objects being built wait on a stack.
    func makeJV() -> jv {
        enum Open {
            case array([JSON], next: Int, result: jv)
            case object(JSONObject, next: Int, result: jv)
        }
        var stack: [Open] = []
        var value = self
        while true {
            var made: jv
            switch value {
            case .null: made = jv_null()
            case .bool(let b): made = b ? jv_true() : jv_false()
            case .int(let i): made = jv_number(Double(i))
            case .double(let d): made = jv_number(d)
            case .string(let s): made = Self.makeJVString(s)
            case .array(let elements):
                if elements.isEmpty {
                    made = jv_array()
                } else {
                    stack.append(.array(elements, next: 0, result: jv_array_sized(Int32(clamping: elements.count))))
                    value = elements[0]
                    continue
                }
            case .object(let members):
                if members.isEmpty {
                    made = jv_object()
                } else {
                    stack.append(.object(members, next: 0, result: jv_object()))
                    value = members.values[0]
                    continue
                }
            }
            // Put `made` in its container; finish the containers that are complete.
            while true {
                guard let open = stack.popLast() else { return made }
                switch open {
                case .array(let elements, let next, let result):
                    let grown = jv_array_append(result, made)
                    if next + 1 < elements.count {
                        stack.append(.array(elements, next: next + 1, result: grown))
                        value = elements[next + 1]
                    } else {
                        made = grown
                        continue
                    }
                case .object(let members, let next, let result):
                    let grown = jv_object_set(result, Self.makeJVString(members.keys[next]), made)
                    if next + 1 < members.count {
                        stack.append(.object(members, next: next + 1, result: grown))
                        value = members.values[next + 1]
                    } else {
                        made = grown
                        continue
                    }
                }
                break
            }
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
        return try converting(borrowing: value)
    }

    /// Converts without consuming `value`. Without recursion: the arrays and objects being
    /// read wait on a stack, each holding its own reference to its `jv`.
    static func converting(borrowing value: jv) throws(JQEvaluationError) -> JSON {
        enum Open {
            case array(jv, count: Int32, next: Int32, elements: [JSON])
            case object(jv, iterator: Int32, key: String, members: JSONObject)
        }
        var stack: [Open] = []
        defer {
            // Only left non-empty by the too-deep error.
            for open in stack {
                switch open {
                case .array(let a, _, _, _): jv_free(a)
                case .object(let o, _, _, _): jv_free(o)
                }
            }
        }
        var current = jv_copy(value)  // owned; freed once converted or when its frame ends
        while true {
            var made: JSON
            switch jv_get_kind(current) {
            case JV_KIND_ARRAY:
                guard stack.count < JSON.maximumDepth else {
                    jv_free(current)
                    throw tooDeep
                }
                let count = jv_array_length(jv_copy(current))
                if count == 0 {
                    jv_free(current)
                    made = .array([])
                } else {
                    var elements: [JSON] = []
                    elements.reserveCapacity(Int(count))
                    let first = jv_array_get(jv_copy(current), 0)
                    stack.append(.array(current, count: count, next: 1, elements: elements))
                    current = first
                    continue
                }
            case JV_KIND_OBJECT:
                guard stack.count < JSON.maximumDepth else {
                    jv_free(current)
                    throw tooDeep
                }
                let iterator = jv_object_iter(current)
                if jv_object_iter_valid(current, iterator) == 0 {
                    jv_free(current)
                    made = .object([:])
                } else {
                    let key = objectKey(current, iterator)
                    let first = jv_object_iter_value(current, iterator)
                    var members = JSONObject(minimumCapacity: Int(jv_object_length(jv_copy(current))))
                    stack.append(.object(current, iterator: iterator, key: key, members: members))
                    current = first
                    continue
                }
            case JV_KIND_TRUE: made = .bool(true); jv_free(current)
            case JV_KIND_FALSE: made = .bool(false); jv_free(current)
            case JV_KIND_NUMBER: made = number(jv_number_value(current)); jv_free(current)
            case JV_KIND_STRING: made = .string(string(borrowing: current)); jv_free(current)
            default: made = .null; jv_free(current)  // null and invalid
            }
            // Put `made` in its container; finish the containers that are complete.
            while true {
                guard let open = stack.popLast() else { return made }
                switch open {
                case .array(let array, let count, let next, var elements):
                    elements.append(made)
                    if next < count {
                        current = jv_array_get(jv_copy(array), next)
                        stack.append(.array(array, count: count, next: next + 1, elements: elements))
                    } else {
                        jv_free(array)
                        made = .array(elements)
                        continue
                    }
                case .object(let object, let iterator, let key, var members):
                    members[key] = made
                    let following = jv_object_iter_next(object, iterator)
                    if jv_object_iter_valid(object, following) != 0 {
                        current = jv_object_iter_value(object, following)
                        stack.append(.object(object, iterator: following, key: objectKey(object, following), members: members))
                    } else {
                        jv_free(object)
                        made = .object(members)
                        continue
                    }
                }
                break
            }
        }
    }

    private static func objectKey(_ object: jv, _ iterator: Int32) -> String {
        let key = jv_object_iter_key(object, iterator)
        defer { jv_free(key) }
        return string(borrowing: key)
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
