import COpenSSL
import NIOCore

/// The server side of TLS for one connection, first in the channel pipeline: ciphertext
/// from the socket goes into OpenSSL through a memory BIO and plaintext comes out to the
/// HTTP handlers; their plaintext goes back through OpenSSL to the socket.
///
/// Why OpenSSL through memory BIOs and not swift-nio-ssl: the dev-cluster only needs
/// to terminate TLS on loopback, and the OpenSSL that libcurl already links does it;
/// swift-nio-ssl would compile and ship a second TLS library (BoringSSL) in the binary.
/// The `SSL` object never leaves this handler, which lives on its channel's event loop.
final class TLSServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let context: OpaquePointer   // SSL_CTX*
    private let ssl: OpaquePointer       // SSL*
    private let network: OpaquePointer   // BIO* with ciphertext read from the socket
    private let outgoing: OpaquePointer  // BIO* with ciphertext to write to the socket
    private let log: RequestLog
    private var handshakeDone = false
    private var failed = false
    /// Plaintext written before the handshake finished, sent once it has.
    private var pending: [(ByteBuffer, EventLoopPromise<Void>?)] = []

    /// One `SSL_CTX` per connection: the identity is a pair of PEM strings that any event
    /// loop can read, and loading them costs far less than the handshake itself.
    init(identity: TLSIdentity, log: RequestLog) throws(DevClusterError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .tls("cannot make a TLS context: \(TLSIdentity.lastError())") }
        var ok = yopf_tls_require_tls12(ctx) == 1
        ok = ok && Self.load(identity, into: ctx)
        guard ok, let ssl = SSL_new(ctx), let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            let detail = TLSIdentity.lastError()
            SSL_CTX_free(ctx)
            throw .tls("cannot set up TLS for a connection: \(detail)")
        }
        SSL_set_bio(ssl, rbio, wbio)  // the SSL owns both BIOs from here
        SSL_set_accept_state(ssl)
        self.context = ctx
        self.ssl = ssl
        self.network = rbio
        self.outgoing = wbio
        self.log = log
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    private static func load(_ identity: TLSIdentity, into ctx: OpaquePointer) -> Bool {
        func read<T>(_ pem: String, _ parse: (OpaquePointer) -> T?) -> T? {
            let bytes = Array(pem.utf8)
            return bytes.withUnsafeBytes { raw -> T? in
                guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                return parse(bio)
            }
        }
        guard let cert = read(identity.certificatePEM, { PEM_read_bio_X509($0, nil, nil, nil) }) else { return false }
        defer { X509_free(cert) }
        guard let key = read(identity.privateKeyPEM, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else { return false }
        defer { EVP_PKEY_free(key) }
        return SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1
    }

    // MARK: Inbound: ciphertext in, plaintext up the pipeline

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        // A memory BIO takes everything it is given.
        _ = buffer.withUnsafeReadableBytes { BIO_write(network, $0.baseAddress, Int32($0.count)) }
        if !handshakeDone {
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                handshakeDone = true
            } else if SSL_get_error(ssl, result) != SSL_ERROR_WANT_READ {
                fail(context, "TLS handshake failed")
                return
            }
            sendCiphertext(context, promise: nil)
            context.flush()
            guard handshakeDone else { return }
            for (plaintext, promise) in pending { encrypt(context, plaintext, promise: promise) }
            if !pending.isEmpty { pending = []; context.flush() }
        }
        readPlaintext(context)
    }

    private func readPlaintext(_ context: ChannelHandlerContext) {
        while true {
            var plaintext = context.channel.allocator.buffer(capacity: 16 * 1024)
            var result: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { raw in
                result = SSL_read(ssl, raw.baseAddress, Int32(min(raw.count, Int(Int32.max))))
                return Int(max(result, 0))
            }
            if result > 0 {
                context.fireChannelRead(wrapInboundOut(plaintext))
                continue
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                // TLS 1.3 sends session tickets after the handshake: pass on whatever is due.
                if BIO_ctrl_pending(outgoing) > 0 { sendCiphertext(context, promise: nil); context.flush() }
                return
            case SSL_ERROR_ZERO_RETURN:
                // The client's close_notify: answer it and close.
                SSL_shutdown(ssl)
                sendCiphertext(context, promise: nil)
                context.flush()
                context.close(promise: nil)
                return
            default:
                fail(context, "TLS read failed")
                return
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went away mid-handshake: writes held for after it never go out.
        for (_, promise) in pending { promise?.fail(ChannelError.ioOnClosedChannel) }
        pending = []
        context.fireChannelInactive()
    }

    // MARK: Outbound: plaintext in, ciphertext to the socket

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        guard !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        guard handshakeDone else {
            pending.append((plaintext, promise))
            return
        }
        encrypt(context, plaintext, promise: promise)
    }

    private func encrypt(_ context: ChannelHandlerContext, _ plaintext: ByteBuffer, promise: EventLoopPromise<Void>?) {
        if plaintext.readableBytes > 0 {
            // Into a memory BIO SSL_write writes everything or fails.
            let written = plaintext.withUnsafeReadableBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard written > 0 else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                fail(context, "TLS write failed")
                return
            }
        }
        sendCiphertext(context, promise: promise)
    }

    /// Writes what OpenSSL has produced for the socket (records, alerts, tickets).
    private func sendCiphertext(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let count = Int(BIO_ctrl_pending(outgoing))
        guard count > 0 else {
            if let promise { context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise) }
            return
        }
        var ciphertext = context.channel.allocator.buffer(capacity: count)
        ciphertext.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            Int(max(BIO_read(outgoing, raw.baseAddress, Int32(count)), 0))
        }
        context.write(wrapOutboundOut(ciphertext), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, handshakeDone, !failed {
            // close_notify first, so the client knows the response ended here.
            SSL_shutdown(ssl)
            sendCiphertext(context, promise: nil)
            context.flush()
        }
        for (_, pendingPromise) in pending { pendingPromise?.fail(ChannelError.ioOnClosedChannel) }
        pending = []
        context.close(mode: mode, promise: promise)
    }

    /// Sends OpenSSL's alert, if it made one, and closes: the connection cannot go on.
    private func fail(_ context: ChannelHandlerContext, _ what: String) {
        failed = true
        let detail = TLSIdentity.lastError()
        if log.enabled {
            RequestLog.write("debug: \(what) with \(context.channel.remoteAddress.map { "\($0)" } ?? "a client"): \(detail)\n")
        }
        sendCiphertext(context, promise: nil)
        context.flush()
        for (_, promise) in pending { promise?.fail(ChannelError.ioOnClosedChannel) }
        pending = []
        context.close(promise: nil)
    }
}
