import OrderedCollections

/// The project's one JSON model: an immutable, `Sendable` value.
///
/// Objects keep the order of their keys (Kubernetes objects read better that way and
/// server-side apply field sets are ordered), but equality ignores order, as JSON does.
/// Integers and doubles are kept apart so that `replicas: 1` never becomes `1.0`;
/// they compare equal when they denote the same number.
/// libjq's `jv` never leaves the JQ module: values cross that boundary as `JSON`.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

public typealias JSONObject = OrderedDictionary<String, JSON>

// MARK: - Equality and hashing (order-insensitive objects, numeric ints == doubles)

extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }
}

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(Double(i))
        case .double(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .array(let a): hasher.combine(4); hasher.combine(a)
        case .object(let o):
            // Order-insensitive: combine a commutative sum of per-entry hashes.
            hasher.combine(5)
            hasher.combine(o.count)
            var sum = 0
            for (k, v) in o {
                var h = Hasher()
                h.combine(k)
                h.combine(v)
                sum = sum &+ h.finalize()
            }
            hasher.combine(sum)
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = JSONObject(minimumCapacity: elements.count)
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

// MARK: - Typed access

extension JSON {
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }

    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The value as an integer: an `.int`, or a `.double` that is integral and in range.
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded() == d, d >= -9.2e18, d <= 9.2e18 else { return nil }
            return Int(d)
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }

    public var object: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    public var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// The JSON type name, as jq and error messages spell it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// jq's truthiness: everything but `null` and `false` is true.
    public var isTruthy: Bool {
        switch self {
        case .null, .bool(false): return false
        default: return true
        }
    }

    /// An empty object.
    public static var emptyObject: JSON { .object([:]) }

    /// Member of an object (`nil` when absent or when self is not an object).
    /// Setting on `.null` makes an object; setting `nil` removes the key.
    public subscript(key: String) -> JSON? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            switch self {
            case .object(var o):
                self = .null  // release the storage so the mutation below is in place
                o[key] = newValue
                self = .object(o)
            case .null:
                if let newValue { self = .object([key: newValue]) }
            default:
                preconditionFailure("JSON: cannot set key \"\(key)\" on a \(typeName)")
            }
        }
    }

    /// Element of an array (`nil` when out of range or when self is not an array).
    public subscript(index: Int) -> JSON? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// The value at a path of object keys, e.g. `["metadata", "name"]`.
    public func value(at path: [String]) -> JSON? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// The value at a dotted path of object keys, e.g. `"metadata.name"`.
    public subscript(path path: String) -> JSON? {
        value(at: path.split(separator: ".").map(String.init))
    }

    /// Sets (or with `nil`, removes) the value at a path, creating objects on the way.
    /// Does nothing when a step of the path is a non-object value and the value is `nil`.
    public mutating func set(_ value: JSON?, at path: [String]) {
        guard let first = path.first else {
            self = value ?? .null
            return
        }
        if path.count == 1 {
            if case .object = self { self[first] = value } else if value != nil { self = .object([first: value!]) }
            return
        }
        if case .object(var o) = self, let i = o.index(forKey: first), case .object = o.values[i] {
            // In place and where the key stands: release each level's storage before
            // mutating it, so that nothing is copied and the key order is kept.
            self = .null
            var child = o.values[i]
            o.values[i] = .null
            child.set(value, at: Array(path.dropFirst()))
            o.values[i] = child
            self = .object(o)
            return
        }
        var child: JSON
        if let existing = self[first], case .object = existing {
            child = existing
        } else {
            guard value != nil else { return }
            child = .emptyObject
        }
        if case .object = self {} else { self = .emptyObject }
        self[first] = nil
        child.set(value, at: Array(path.dropFirst()))
        self[first] = child
    }

    /// Removes the value at a path (no effect when absent).
    public mutating func remove(at path: [String]) { set(nil, at: path) }
}

// MARK: - Merge patch (RFC 7386)

extension JSON {
    /// Applies a JSON merge patch (RFC 7386): objects merge recursively, `null` removes,
    /// anything else replaces.
    public func mergePatched(with patch: JSON) -> JSON {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let o) = self { result = o } else { result = [:] }
        for (key, value) in patchObject {
            if case .null = value {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).mergePatched(with: value)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `self` into `target` (RFC 7386 in reverse).
    public func mergePatch(to target: JSON) -> JSON {
        guard case .object(let from) = self, case .object(let to) = target else { return target }
        var patch = JSONObject()
        for key in from.keys where to[key] == nil { patch[key] = .null }
        for (key, value) in to {
            if let old = from[key] {
                if old != value { patch[key] = old.mergePatch(to: value) }
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }
}
