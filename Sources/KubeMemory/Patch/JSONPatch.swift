import JSONValue

/// RFC 6902 JSON patch (`application/json-patch+json`): a list of `add`, `remove`,
/// `replace`, `move`, `copy` and `test` operations applied in order.
///
/// The whole patch applies or nothing does: the document is a value, so a failure half way
/// leaves the caller's copy untouched. Errors are worded like the json-patch library that
/// kube-apiserver uses, so clients see familiar messages.
enum JSONPatch {
    static func apply(_ patch: JSON, to document: JSON) throws -> JSON {
        guard case .array(let operations) = patch else {
            throw PatchError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
        }
        var result = document
        for operation in operations {
            result = try applyOne(operation, to: result)
        }
        return result
    }

    private static func applyOne(_ operation: JSON, to document: JSON) throws(PatchError) -> JSON {
        guard case .object(let fields) = operation else {
            throw PatchError.badRequest("json: cannot unmarshal \(operation.typeName) into Go value of type jsonpatch.Operation")
        }
        guard let op = fields["op"]?.string else {
            throw PatchError(message: "Unexpected kind: \(fields["op"].map { $0.serialized() } ?? "unknown")")
        }
        func pointer(_ name: String) throws(PatchError) -> JSONPointer {
            guard let text = fields[name]?.string else {
                throw PatchError(message: "\(op) operation, missing \(name) field: missing value")
            }
            return try JSONPointer(text)
        }
        func operand() throws(PatchError) -> JSON {
            guard let value = fields["value"] else {
                throw PatchError(message: "\(op) operation, missing value field: missing value")
            }
            return value
        }
        switch op {
        case "add":
            return try inserting(try operand(), at: try pointer("path"), in: document, op: op, replace: false)
        case "remove":
            return try removing(at: try pointer("path"), from: document, op: op).document
        case "replace":
            return try inserting(try operand(), at: try pointer("path"), in: document, op: op, replace: true)
        case "move":
            let from = try pointer("from")
            let path = try pointer("path")
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw PatchError(message: "move operation does not apply: cannot move \(from) into its own child \(path)")
            }
            if from.tokens == path.tokens { return document }
            let (rest, moved) = try removing(at: from, from: document, op: op, what: "from path")
            return try inserting(moved, at: path, in: rest, op: op, replace: false)
        case "copy":
            let from = try pointer("from")
            guard let copied = value(at: from.tokens[...], in: document) else {
                throw missing(op, "from path", from)
            }
            return try inserting(copied, at: try pointer("path"), in: document, op: op, replace: false)
        case "test":
            let path = try pointer("path")
            let expected = try operand()
            let actual = value(at: path.tokens[...], in: document)
            // A missing member equals an expected null, as the json-patch library kube uses has it.
            guard actual ?? .null == expected else {
                throw PatchError(message: "testing value \(path) failed: test failed")
            }
            return document
        default:
            throw PatchError(message: "Unexpected kind: \(op)")
        }
    }

    // MARK: Pointer operations

    static func value(at tokens: ArraySlice<String>, in document: JSON) -> JSON? {
        guard let token = tokens.first else { return document }
        switch document {
        case .object(let object):
            guard let child = object[token] else { return nil }
            return value(at: tokens.dropFirst(), in: child)
        case .array(let array):
            guard let index = arrayIndex(token), index < array.count else { return nil }
            return value(at: tokens.dropFirst(), in: array[index])
        default:
            return nil
        }
    }

    /// `add` (or with `replace`, `replace`) of `value` at `pointer`.
    private static func inserting(_ value: JSON, at pointer: JSONPointer, in document: JSON, op: String, replace: Bool) throws(PatchError) -> JSON {
        try inserting(value, at: pointer.tokens[...], in: document, pointer: pointer, op: op, replace: replace)
    }

    private static func inserting(_ value: JSON, at tokens: ArraySlice<String>, in document: JSON, pointer: JSONPointer, op: String, replace: Bool) throws(PatchError) -> JSON {
        guard let token = tokens.first else { return value }
        let last = tokens.count == 1
        switch document {
        case .object(var object):
            if last {
                if replace, object[token] == nil { throw missing(op, "key", pointer) }
                object[token] = value
                return .object(object)
            }
            guard let child = object[token] else { throw missing(op, "path", pointer) }
            object[token] = try inserting(value, at: tokens.dropFirst(), in: child, pointer: pointer, op: op, replace: replace)
            return .object(object)
        case .array(var array):
            if last, token == "-", !replace {
                array.append(value)
                return .array(array)
            }
            guard let index = arrayIndex(token) else {
                throw PatchError(message: "\(op) operation does not apply: doc is missing path: \"\(pointer)\": invalid index referenced: \(token)")
            }
            if last {
                if replace {
                    guard index < array.count else { throw invalidIndex(op, index) }
                    array[index] = value
                } else {
                    guard index <= array.count else { throw invalidIndex(op, index) }
                    array.insert(value, at: index)
                }
                return .array(array)
            }
            guard index < array.count else { throw invalidIndex(op, index) }
            array[index] = try inserting(value, at: tokens.dropFirst(), in: array[index], pointer: pointer, op: op, replace: replace)
            return .array(array)
        default:
            throw missing(op, "path", pointer)
        }
    }

    /// Removes the value at `pointer`, returning the document without it and the value.
    private static func removing(at pointer: JSONPointer, from document: JSON, op: String, what: String = "key") throws(PatchError) -> (document: JSON, removed: JSON) {
        guard !pointer.tokens.isEmpty else {
            throw PatchError(message: "\(op) operation does not apply: cannot remove the whole document")
        }
        return try removing(at: pointer.tokens[...], from: document, pointer: pointer, op: op, what: what)
    }

    private static func removing(at tokens: ArraySlice<String>, from document: JSON, pointer: JSONPointer, op: String, what: String) throws(PatchError) -> (document: JSON, removed: JSON) {
        guard let token = tokens.first else { throw missing(op, what, pointer) }
        let last = tokens.count == 1
        switch document {
        case .object(var object):
            guard let child = object[token] else { throw missing(op, what, pointer) }
            if last {
                object.removeValue(forKey: token)
                return (.object(object), child)
            }
            let (newChild, removed) = try removing(at: tokens.dropFirst(), from: child, pointer: pointer, op: op, what: what)
            object[token] = newChild
            return (.object(object), removed)
        case .array(var array):
            guard let index = arrayIndex(token), index < array.count else {
                throw PatchError(message: "\(op) operation does not apply: doc is missing \(what): \(pointer): Unable to access invalid index: \(token): invalid index referenced")
            }
            if last {
                let removed = array.remove(at: index)
                return (.array(array), removed)
            }
            let (newChild, removed) = try removing(at: tokens.dropFirst(), from: array[index], pointer: pointer, op: op, what: what)
            array[index] = newChild
            return (.array(array), removed)
        default:
            throw missing(op, what, pointer)
        }
    }

    /// An RFC 6901 array index: digits without a leading zero.
    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if token.count > 1, token.hasPrefix("0") { return nil }
        return Int(token)
    }

    private static func missing(_ op: String, _ what: String, _ pointer: JSONPointer) -> PatchError {
        PatchError(message: "\(op) operation does not apply: doc is missing \(what): \(pointer): missing value")
    }

    private static func invalidIndex(_ op: String, _ index: Int) -> PatchError {
        PatchError(message: "\(op) operation does not apply: Unable to access invalid index: \(index): invalid index referenced")
    }
}
