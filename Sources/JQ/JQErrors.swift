import JSONValue

/// A jq expression that does not compile: libjq's message, cleaned of its "jq: error:"
/// prefix and of the program text yopf wraps around the expression, and the UTF-8 byte
/// offset into the user's expression where the problem is, when libjq said where.
public struct JQSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int?

    public init(message: String, offset: Int?) {
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(message) (at byte \(offset) of the expression)" }
        return message
    }
}

/// One expression of a `JQProgram` that does not compile.
public struct JQExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The index of the expression in `JQProgram.expressions`; -1 for a problem with the
    /// program as a whole (e.g. an invalid variable name).
    public var index: Int
    public var error: JQSyntaxError

    public init(index: Int, error: JQSyntaxError) {
        self.index = index
        self.error = error
    }

    public var description: String { "expression #\(index): \(error)" }
}

/// The expressions of a `JQProgram` that do not compile, in index order.
public struct JQProgramError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [JQExpressionError]

    public init(errors: [JQExpressionError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A jq expression that failed while running: `error("x")`, a type error such as
/// `Cannot index string with "x"`, `halt_error`, or a runaway expression.
public struct JQEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// jq's message; for `error(v)` with a non-string `v`, v as compact JSON.
    public var message: String
    /// The value given to `error` or `halt_error` (a string for jq's own errors).
    public var value: JSON

    public init(message: String, value: JSON? = nil) {
        self.message = message
        self.value = value ?? .string(message)
    }

    init(errorValue: JSON) {
        if case .string(let s) = errorValue {
            self.init(message: s, value: errorValue)
        } else {
            self.init(message: errorValue.serialized() + " (not a string)", value: errorValue)
        }
    }

    public var description: String { message }
}
