import CJQ
import Glibc
import JSONValue

/// One compiled `jq_state` and the callbacks it needs. NOT Sendable, on purpose: libjq's
/// `jv` reference counts are plain ints and a `jq_state` holds a stack of `jv`s, so a
/// worker must be used by one task at a time. `JQPool` keeps each worker inside its own
/// `Mutex` and only touches it inside `withLock`.
final class JQWorker {
    private var state: OpaquePointer?
    private let callbacks: Callbacks

    /// True once the state must not run again: libjq 1.6's `jq_reset` frees the values
    /// `halt_error` stored without clearing them, so the next `jq_start` would free them a
    /// second time. Such a worker is torn down (which frees them once) and replaced.
    private(set) var isSpoiled = false

    /// The most outputs one evaluation may produce before it counts as a runaway.
    static let outputLimit = 10_000

    /// What libjq's C callbacks reach through their `void *` argument. Owned by the worker,
    /// so it lives as long as the `jq_state` that points at it.
    fileprivate final class Callbacks {
        var compileErrors: [String] = []
        /// The answer to the native call requested through `debug`, waiting for `input`.
        var pendingAnswer: Result<JSON, JQEvaluationError>?
    }

    /// Compiles `source`; throws libjq's error messages (raw) when it does not compile.
    init(source: String) throws(CompileFailure) {
        callbacks = Callbacks()
        guard let state = jq_init() else { throw CompileFailure(messages: ["jq: error: out of memory"]) }
        self.state = state
        let context = Unmanaged.passUnretained(callbacks).toOpaque()
        jq_set_error_cb(state, { context, message in
            guard let context else { jv_free(message); return }
            let callbacks = Unmanaged<Callbacks>.fromOpaque(context).takeUnretainedValue()
            if jv_get_kind(message) == JV_KIND_STRING {
                callbacks.compileErrors.append(JSON.string(borrowing: message))
            } else {
                callbacks.compileErrors.append(JSON(borrowing: message).serialized())
            }
            jv_free(message)
        }, context)
        jq_set_debug_cb(state, { context, message in
            guard let context else { jv_free(message); return }
            Unmanaged<Callbacks>.fromOpaque(context).takeUnretainedValue().debug(message)
        }, context)
        jq_set_input_cb(state, { _, context in
            // A plain invalid is "no more inputs": libjq 1.6 raises it as the error "break",
            // which its `inputs` expects (a message of our own would break `inputs`).
            guard let context else { return jv_invalid() }
            let callbacks = Unmanaged<Callbacks>.fromOpaque(context).takeUnretainedValue()
            guard let answer = callbacks.pendingAnswer else { return jv_invalid() }
            callbacks.pendingAnswer = nil
            switch answer {
            case .success(let value): return value.makeJV()
            case .failure(let error): return jv_invalid_with_msg(error.value.makeJV())
            }
        }, context)
        let compiled = source.withCString { jq_compile(state, $0) }
        if compiled == 0 {
            let messages = callbacks.compileErrors
            throw CompileFailure(messages: messages.isEmpty ? ["jq: error: the program does not compile"] : messages)
        }
        callbacks.compileErrors.removeAll()
    }

    deinit {
        jq_teardown(&state)
    }

    struct CompileFailure: Error {
        var messages: [String]
    }

    /// All outputs of the program on `input`, or with `firstOnly` at most the first.
    func run(_ input: JSON, firstOnly: Bool = false) throws(JQEvaluationError) -> [JSON] {
        callbacks.pendingAnswer = nil
        jq_start(state, input.makeJV(), 0)
        var outputs: [JSON] = []
        while true {
            let value = jq_next(state)
            if jv_get_kind(value) == JV_KIND_INVALID {
                if jv_invalid_has_msg(jv_copy(value)) != 0 {
                    let error = JSON(consuming: jv_invalid_get_msg(value))
                    if error == "break" {
                        throw JQEvaluationError(message: "No more inputs: a yopf expression has only `.` as input")
                    }
                    throw JQEvaluationError(errorValue: error)
                }
                jv_free(value)
                if jq_halted(state) != 0 {
                    isSpoiled = true
                    try haltError()
                }
                return outputs
            }
            outputs.append(try JSON.converting(consuming: value))
            // The next jq_start resets the state, so stopping early leaks nothing.
            if firstOnly { return outputs }
            if outputs.count > Self.outputLimit {
                throw JQEvaluationError(
                    message: "the expression produced more than \(Self.outputLimit) outputs; is it a runaway (e.g. repeat or range)?")
            }
        }
    }

    /// `halt` ends the outputs; `halt_error` is an error with its message.
    private func haltError() throws(JQEvaluationError) {
        let exitCode = jq_get_exit_code(state)
        let code = JSON(consuming: exitCode)
        let message = JSON(consuming: jq_get_error_message(state))
        guard code != .null || message != .null else { return }
        if case .string(var text) = message {
            if text.hasSuffix("\n") { text.removeLast() }
            throw JQEvaluationError(message: text, value: message)
        }
        if message == .null { throw JQEvaluationError(message: "halt_error with exit code \(code.serialized())", value: code) }
        throw JQEvaluationError(message: message.serialized(), value: message)
    }
}

extension JQWorker.Callbacks {
    /// A native call request is answered at once; any other `debug` output goes to stderr,
    /// as the jq command line does.
    func debug(_ message: jv) {
        defer { jv_free(message) }
        if jv_get_kind(message) == JV_KIND_ARRAY, jv_array_length(jv_copy(message)) == 3 {
            let request = JSON(borrowing: message)
            if request[0] == .string(Prelude.callMarker), case .string(let name)? = request[1],
               let native = Prelude.natives[name] {
                pendingAnswer = native(request[2] ?? .null)
                return
            }
        }
        var line = Array("[\"DEBUG:\",\(JSON(borrowing: message).serialized())]\n".utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
