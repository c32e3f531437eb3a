import Synchronization

/// TLS settings of one cluster, from a kubeconfig or the in-cluster files.
public struct TLSSettings: Sendable, Equatable {
    public var caPEM: [UInt8]?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipVerify: Bool

    public init(caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var tls: TLSSettings
    public var connectTimeoutMilliseconds: Int = 10_000
    /// Whole-transfer limit; nil for streams (watches) that end on their own.
    public var timeoutMilliseconds: Int?
    /// Abort when fewer than 1 byte arrives in this many seconds (stall detection).
    public var stallSeconds: Int?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, tls: TLSSettings = TLSSettings()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first(where: { $0.0 == lower })?.1
    }
}

public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl failed: connection refused, TLS verification, timeout, …
    case curl(code: Int, message: String)
    case cancelled

    public var description: String {
        switch self {
        case .curl(let code, let message): return "HTTP transport error (curl \(code)): \(message)"
        case .cancelled: return "request cancelled"
        }
    }
}

/// Sends requests through the process's libcurl loop (see `CurlLoop`).
public struct HTTPTransport: Sendable {
    public init() {}

    /// Sends a request and collects the whole response.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let loop = CurlLoop.shared
        let id = loop.makeID()
        let state = Mutex<(status: Int, headers: [(String, String)], body: [UInt8])>((0, [], []))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                loop.submit(CurlLoop.Submission(
                    id: id, request: request,
                    onHeaders: { status, headers in state.withLock { $0.status = status; $0.headers = headers } },
                    onData: { bytes in state.withLock { $0.body.append(contentsOf: bytes) } },
                    onDone: { error in
                        if let error {
                            continuation.resume(throwing: error)
                        } else {
                            let r = state.withLock { HTTPResponse(status: $0.status, headers: $0.headers, body: $0.body) }
                            continuation.resume(returning: r)
                        }
                    }))
            }
        } onCancel: {
            loop.cancel(id)
        }
    }

    /// A response whose body is consumed as it arrives (watch streams, logs).
    public struct Stream: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        /// The body in pieces as they arrive; ends when the server ends the response.
        public var body: AsyncThrowingStream<[UInt8], any Error>
        let cancel: @Sendable () -> Void

        /// Stops the transfer (also done when the body's consumer is cancelled).
        public func close() { cancel() }
    }

    /// Sends a request and returns as soon as the status and headers are in.
    public func stream(_ request: HTTPRequest) async throws -> Stream {
        let loop = CurlLoop.shared
        let id = loop.makeID()
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        bodyContinuation.onTermination = { reason in
            if case .cancelled = reason { loop.cancel(id) }
        }
        let headResult = Mutex<CheckedContinuation<(Int, [(String, String)]), any Error>?>(nil)
        return try await withTaskCancellationHandler {
            let (status, headers) = try await withCheckedThrowingContinuation { continuation in
                headResult.withLock { $0 = continuation }
                loop.submit(CurlLoop.Submission(
                    id: id, request: request,
                    onHeaders: { status, headers in
                        headResult.withLock { $0.take() }?.resume(returning: (status, headers))
                    },
                    onData: { bytes in bodyContinuation.yield(bytes) },
                    onDone: { error in
                        if let error {
                            headResult.withLock { $0.take() }?.resume(throwing: error)
                            bodyContinuation.finish(throwing: error == .cancelled ? nil : error)
                        } else {
                            bodyContinuation.finish()
                        }
                    }))
            }
            return Stream(status: status, headers: headers, body: body, cancel: { loop.cancel(id) })
        } onCancel: {
            loop.cancel(id)
        }
    }
}
