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
    /// Without recursion (values may be nested thousands of levels deep): pairs still to
    /// compare wait on a stack.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        var pending: [(JSON, JSON)] = [(lhs, rhs)]
        while let (a, b) = pending.popLast() {
            switch (a, b) {
            case (.null, .null): continue
            case let (.bool(x), .bool(y)): if x != y { return false }
            case let (.int(x), .int(y)): if x != y { return false }
            case let (.double(x), .double(y)): if x != y { return false }
            case let (.int(x), .double(y)), let (.double(y), .int(x)): if Double(x) != y { return false }
            case let (.string(x), .string(y)): if x != y { return false }
            case let (.array(x), .array(y)):
                guard x.count == y.count else { return false }
                for i in x.indices { pending.append((x[i], y[i])) }
            case let (.object(x), .object(y)):
                guard x.count == y.count else { return false }
                for (key, value) in x {
                    guard let other = y[key] else { return false }
                    pending.append((value, other))
                }
            default: return false
            }
        }
        return true
    }
}

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) { hash(into: &hasher, depth: 0) }

    /// Containers deeper than this hash by their kind and size only: equal values still
    /// hash equally, and hashing stays shallow recursion whatever the nesting.
    private static let hashedDepth = 32

    private func hash(into hasher: inout Hasher, depth: Int) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(Double(i))
        case .double(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .array(let a):
            hasher.combine(4)
            hasher.combine(a.count)
            guard depth < Self.hashedDepth else { return }
            for element in a { element.hash(into: &hasher, depth: depth + 1) }
        case .object(let o):
            // Order-insensitive: combine a commutative sum of per-entry hashes.
            hasher.combine(5)
            hasher.combine(o.count)
            guard depth < Self.hashedDepth else { return }
            var sum = 0
            for (k, v) in o {
                var h = Hasher()
                h.combine(k)
                v.hash(into: &h, depth: depth + 1)
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
    /// anything else replaces. Without recursion: the objects being merged wait on a stack.
    public func mergePatched(with patch: JSON) -> JSON {
        struct Open {
            var result: JSONObject
            var patch: JSONObject
            var next: Int
        }
        func open(_ target: JSON?, _ patch: JSONObject) -> Open {
            if case .object(let o)? = target { return Open(result: o, patch: patch, next: 0) }
            return Open(result: [:], patch: patch, next: 0)
        }
        guard case .object(let top) = patch else { return patch }
        var stack = [open(self, top)]
        var finished: JSON = .null
        while var frame = stack.popLast() {
            var descended = false
            while frame.next < frame.patch.count {
                let (key, value) = (frame.patch.keys[frame.next], frame.patch.values[frame.next])
                if case .null = value {
                    frame.result.removeValue(forKey: key)
                } else if case .object(let inner) = value {
                    let child = open(frame.result[key], inner)
                    stack.append(frame)
                    stack.append(child)
                    descended = true
                    break
                } else {
                    frame.result[key] = value
                }
                frame.next += 1
            }
            if descended { continue }
            finished = .object(frame.result)
            // Hand the merged object to the parent that waits for it.
            if var parent = stack.popLast() {
                parent.result[parent.patch.keys[parent.next]] = finished
                parent.next += 1
                stack.append(parent)
            }
        }
        return finished
    }

    /// The merge patch that turns `self` into `target` (RFC 7386 in reverse). Without
    /// recursion: the objects being compared wait on a stack; equal objects give an empty
    /// sub-patch, which is left out.
    public func mergePatch(to target: JSON) -> JSON {
        struct Open {
            var from: JSONObject
            var to: JSONObject
            var patch: JSONObject
            var next: Int
        }
        func open(_ from: JSONObject, _ to: JSONObject) -> Open {
            var patch = JSONObject()
            for key in from.keys where to[key] == nil { patch[key] = .null }
            return Open(from: from, to: to, patch: patch, next: 0)
        }
        guard case .object(let from) = self, case .object(let to) = target else { return target }
        var stack = [open(from, to)]
        var finished = JSONObject()
        while var frame = stack.popLast() {
            var descended = false
            while frame.next < frame.to.count {
                let (key, value) = (frame.to.keys[frame.next], frame.to.values[frame.next])
                if let old = frame.from[key] {
                    if case .object(let a) = old, case .object(let b) = value {
                        stack.append(frame)
                        stack.append(open(a, b))
                        descended = true
                        break
                    }
                    if old != value { frame.patch[key] = value }
                } else {
                    frame.patch[key] = value
                }
                frame.next += 1
            }
            if descended { continue }
            finished = frame.patch
            if var parent = stack.popLast() {
                if !finished.isEmpty { parent.patch[parent.to.keys[parent.next]] = .object(finished) }
                parent.next += 1
                stack.append(parent)
            }
        }
        return .object(finished)
    }
}

extension JSON {
    /// The value's type as error messages say it: "a string", "a list", "an object", …
    /// (the operator file's and the scenario files' readers).
    public var kindDescription: String {
        switch self {
        case .null: return "an empty value"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
