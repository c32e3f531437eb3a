import Glibc
import JSONValue
import Kube
import Platform
import Spec
import Synchronization

/// `stream`: `exec` with stdin streamed in — from a jq value, a Secret or ConfigMap key, a
/// file of the operator, or the stdout of a command in another pod — then closed, so the
/// command sees the end of its input and finishes. Bytes move chunk by chunk with
/// back-pressure: a dump piped from one pod into another is never held whole in memory.
///
/// `$steps.NAME` is what `exec` gives plus `bytesIn` (stdin bytes sent) and, for `fromExec`,
/// `source` (the other command's exit code, stderr and pod).
enum StreamStep {
    /// The most stdin bytes held between the source and the command at any time.
    static let pipeCapacity = 256 << 10
    static let fileChunk = 64 << 10

    static func run(_ action: StreamAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> StepOutcome {
        let pods = try ExecStep.podAccess(env, step: step)
        let (command, input) = try await render(action, scope, env, step: step)
        let target = try await ExecTarget.resolve(command, env, step: step)
        let counter = ByteCounter()
        let result: PodExecResult
        var source: JSON? = nil
        switch input {
        case .value(let v):
            let bytes = v.string.map { Array($0.utf8) } ?? v.serializedBytes()
            result = try await target.run(pods, stdin: counted(.bytes(bytes), counter), step: step)
        case .secretKey(let name, let key):
            let bytes = try await keyBytes(secret: true, name: name, key: key, env, step: step)
            result = try await target.run(pods, stdin: counted(.bytes(bytes), counter), step: step)
        case .configMapKey(let name, let key):
            let bytes = try await keyBytes(secret: false, name: name, key: key, env, step: step)
            result = try await target.run(pods, stdin: counted(.bytes(bytes), counter), step: step)
        case .file(let full):
            let file = try FileChunks(path: full, chunkSize: fileChunk, step: step)
            defer { file.close() }
            result = try await target.run(pods, stdin: counted(PodExecInput { try file.next() }, counter), step: step)
        case .fromExec(let sourceCommand, let expect):
            let from = try await ExecTarget.resolve(sourceCommand, env, step: "\(step) (stdin from exec)")
            (result, source) = try await pipe(from: from, expect: expect, into: target, pods, counter, env, step: step)
        }
        var output = target.output(result)
        output["bytesIn"] = .int(counter.total)
        if let source { output["source"] = source }
        try target.check(result, expect: action.exec.expectExitCodes, env: env, step: step)
        return StepOutcome(output: output)
    }

    /// The command and where its stdin comes from, rendered; no API call.
    static func render(_ action: StreamAction, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> (PodCommand, StreamInput) {
        let command = try await ExecTarget.render(action.exec, scope, env, step: step)
        switch action.stdin {
        case .value(let e):
            return (command, .value(try await env.evaluator.value(e, scope)))
        case .secretKey(let name, let key):
            let (n, k) = try await renderKey(kind: "Secret", name: name, key: key, scope, env, step: step)
            return (command, .secretKey(name: n, key: k))
        case .configMapKey(let name, let key):
            let (n, k) = try await renderKey(kind: "ConfigMap", name: name, key: key, scope, env, step: step)
            return (command, .configMapKey(name: n, key: k))
        case .file(let path):
            return (command, .file(path.hasPrefix("/") ? path : Files.join(env.operatorDirectory, path)))
        case .fromExec(let sourceAction):
            let source = try await ExecTarget.render(sourceAction, scope, env, step: "\(step) (stdin from exec)")
            return (command, .fromExec(source, expect: sourceAction.expectExitCodes))
        }
    }

    private static func renderKey(kind: String, name t: TemplateValue, key k: TemplateValue, _ scope: Scope, _ env: StepEnvironment, step: String) async throws -> (String, String) {
        let name = try await env.evaluator.string(t, scope, what: "\(step): \(kind) name")
        let key = try await env.evaluator.string(k, scope, what: "\(step): \(kind) key")
        return (name, key)
    }

    private static func counted(_ input: PodExecInput, _ counter: ByteCounter) -> PodExecInput {
        PodExecInput {
            let chunk = try await input.read()
            if let chunk { counter.add(chunk.count) }
            return chunk
        }
    }

    /// A key of a Secret (base64 `data`) or a ConfigMap (`data` text or `binaryData`) in the
    /// resource's namespace.
    private static func keyBytes(secret: Bool, name: String, key: String, _ env: StepEnvironment, step: String) async throws -> [UInt8] {
        let kind = secret ? "Secret" : "ConfigMap"
        guard let namespace = env.ownerNamespace else {
            throw StepError("\(step): the \(kind) is looked up in the resource's namespace, and the resource being handled is cluster-scoped", permanent: true)
        }
        let gvr = GroupVersionResource(group: "", version: "v1", resource: secret ? "secrets" : "configmaps")
        let object: JSON
        do {
            object = try await env.api.get(ObjectRef(gvr, namespace: namespace, name: name))
        } catch let e as KubeError where e.code == 404 {
            throw StepError("\(step): \(kind) \(name) not found in namespace \(namespace)")
        }
        if let text = object["data"]?[key]?.string {
            if !secret { return Array(text.utf8) }
            guard let bytes = Base64.decode(text) else { throw StepError("\(step): key \(key) of Secret \(name) is not valid base64", permanent: true) }
            return bytes
        }
        if !secret, let text = object["binaryData"]?[key]?.string {
            guard let bytes = Base64.decode(text) else { throw StepError("\(step): binaryData key \(key) of ConfigMap \(name) is not valid base64", permanent: true) }
            return bytes
        }
        throw StepError("\(step): \(kind) \(name) has no key \(key)")
    }

    /// Runs the source command with its stdout piped into the target's stdin. A source that
    /// fails makes the target's stdin fail (the target must not take half a dump for all of
    /// it); a target that ends first stops the source.
    private static func pipe(from: ExecTarget, expect: [Int], into target: ExecTarget, _ pods: any PodAccess, _ counter: ByteCounter, _ env: StepEnvironment, step: String) async throws -> (PodExecResult, JSON) {
        let pipe = BytePipe(capacity: pipeCapacity)
        let sourceStep = "\(step) (stdin from pod \(from.pod))"
        return try await withThrowingTaskGroup(of: JSON.self) { group in
            group.addTask {
                let errTail = OutputTail(limit: ExecStep.outputCap)
                do {
                    let code = try await pods.exec(from.request, stdin: nil, stdout: PodExecOutput { try await pipe.write($0) }, stderr: errTail.output)
                    let result = PodExecResult(exitCode: code, stdout: [], stderr: errTail.bytes, stdoutCount: 0, stderrCount: errTail.totalCount)
                    do {
                        try from.check(result, expect: expect, env: env, step: sourceStep)
                    } catch {
                        pipe.finish(throwing: error)
                        throw error
                    }
                    pipe.finish()
                    var out = from.output(result)
                    out["stdout"] = nil
                    return out
                } catch {
                    pipe.finish(throwing: error)
                    throw error
                }
            }
            let result: PodExecResult
            do {
                result = try await target.run(pods, stdin: counted(PodExecInput { try await pipe.read() }, counter), step: step)
            } catch {
                // The source's own failure says more than "stdin failed" on the target.
                group.cancelAll()
                pipe.closeReading()
                if let sourceError = pipe.failure as? StepError { throw sourceError }
                throw error
            }
            pipe.closeReading()
            let source: JSON
            do {
                source = try await group.next() ?? .null
            } catch let e as StepError {
                throw e
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The target finished before the source: the source was cut off, which the
                // target's success says was fine (e.g. `head`).
                source = ["pod": .string(from.pod), "cutOff": true]
            }
            return (result, source)
        }
    }
}

/// Where a `stream` step's stdin comes from, rendered (a file as the path it opens).
public enum StreamInput: Sendable {
    case value(JSON)
    case secretKey(name: String, key: String)
    case configMapKey(name: String, key: String)
    case file(String)
    /// The stdout of a command in another pod, and its exit codes that count as success.
    case fromExec(PodCommand, expect: [Int])
}

/// A bounded byte queue between one writer and one reader: `write` waits while `capacity`
/// bytes are queued, `read` waits while none are. It is what keeps a pod-to-pod stream's
/// memory flat however large the stream is.
final class BytePipe: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var bytes = 0
        var finished = false
        var failure: (any Error)?
        var readerGone = false
        var reader: CheckedContinuation<[UInt8]?, any Error>?
        var writers: [CheckedContinuation<Void, any Error>] = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The error the writer ended with, if any.
    var failure: (any Error)? { state.withLock { $0.failure } }

    func write(_ chunk: [UInt8]) async throws {
        guard !chunk.isEmpty else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                var wakeReader: CheckedContinuation<[UInt8]?, any Error>? = nil
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if s.readerGone { return .failure(PodExecError("the command reading this stream has ended")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let r = s.reader {
                        s.reader = nil
                        wakeReader = r
                        return .success(())
                    }
                    s.chunks.append(chunk)
                    s.bytes += chunk.count
                    if s.bytes <= capacity { return .success(()) }
                    s.writers.append(c)
                    return nil
                }
                wakeReader?.resume(returning: chunk)
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let waiting = state.withLock { s in defer { s.writers = [] }; return s.writers }
            for w in waiting { w.resume(throwing: CancellationError()) }
        }
    }

    /// The end of the stream, or with `error` a broken one (the reader gets the error).
    func finish(throwing error: (any Error)? = nil) {
        let reader = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !s.finished else { return nil }
            s.finished = true
            s.failure = error
            defer { s.reader = nil }
            return s.reader
        }
        if let error { reader?.resume(throwing: error) } else { reader?.resume(returning: nil) }
    }

    /// The next chunk; nil at the end.
    func read() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8]?, any Error>) in
                var ready: [CheckedContinuation<Void, any Error>] = []
                let outcome: Result<[UInt8]?, any Error>? = state.withLock { s in
                    if s.head < s.chunks.count {
                        let chunk = s.chunks[s.head]
                        s.head += 1
                        s.bytes -= chunk.count
                        if s.head == s.chunks.count {
                            s.chunks.removeAll(keepingCapacity: true)
                            s.head = 0
                        }
                        if s.bytes <= capacity {
                            ready = s.writers
                            s.writers = []
                        }
                        return .success(chunk)
                    }
                    if s.finished { return s.failure.map { .failure($0) } ?? .success(nil) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.reader = c
                    return nil
                }
                for w in ready { w.resume() }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { s in defer { s.reader = nil }; return s.reader }?.resume(throwing: CancellationError())
        }
    }

    /// The reader is done: queued bytes are dropped and writers fail from now on.
    func closeReading() {
        let waiting = state.withLock { s in
            s.readerGone = true
            s.chunks = []
            s.head = 0
            s.bytes = 0
            defer { s.writers = [] }
            return s.writers
        }
        for w in waiting { w.resume(throwing: PodExecError("the command reading this stream has ended")) }
    }
}

/// Bytes that went by.
final class ByteCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var total: Int { value.load(ordering: .relaxed) }
}

/// A file read in chunks (an operator's seed data or dump), never whole.
final class FileChunks: Sendable {
    private let fd: Mutex<Int32>
    let path: String
    let chunkSize: Int

    init(path: String, chunkSize: Int, step: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StepError("\(step): cannot open \(path): \(String(cString: strerror(errno)))", permanent: true)
        }
        self.fd = Mutex(fd)
        self.path = path
        self.chunkSize = chunkSize
    }

    /// The next chunk; nil at the end of the file.
    func next() throws -> [UInt8]? {
        try fd.withLock { fd in
            guard fd >= 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw StepError("cannot read \(path): \(String(cString: strerror(errno)))") }
                if n == 0 { return nil }
                buffer.removeSubrange(n...)
                return buffer
            }
        }
    }

    func close() {
        fd.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }
}
