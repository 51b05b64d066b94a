import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import TesseraCrypto

/// The authenticated peer of a connection, read from its TLS certificate.
public struct PeerCertificate: Sendable {
    public let der: [UInt8]
    /// SHA-256 of the DER encoding, lowercase hex (as in manifest.json).
    public var fingerprint: String { SHA256Digest.hash(der).hex }
}

/// Waits for the TLS handshake and captures the peer's leaf certificate.
final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    let promise: EventLoopPromise<PeerCertificate?>
    private var done = false

    init(promise: EventLoopPromise<PeerCertificate?>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, !done {
            done = true
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
            let der = try? handler?.peerCertificate?.toDERBytes()
            promise.succeed(der.map { PeerCertificate(der: $0) })
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done { done = true; promise.fail(error) }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { done = true; promise.fail(ChannelError.eof) }
        context.fireChannelInactive()
    }

    /// A channel that never became active (connection refused) is torn down without
    /// `channelInactive`; the promise must still complete.
    func handlerRemoved(context: ChannelHandlerContext) {
        if !done { done = true; promise.fail(ChannelError.ioOnClosedChannel) }
    }
}

/// A framed, TLS-protected connection with its authenticated peer.
public struct Connection: Sendable {
    public let channel: NIOAsyncChannel<Frame, ByteBuffer>
    public let handshake: EventLoopFuture<PeerCertificate?>
    public let remoteAddress: String

    static func configure(_ channel: Channel, tls: NIOSSLHandler, frameLimit: Int, limits: TransportLimits? = nil) throws -> Connection {
        let promise = channel.eventLoop.makePromise(of: PeerCertificate?.self)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(tls)
        try sync.addHandler(ByteToMessageHandler(FrameDecoder(limit: frameLimit, limits: limits)))
        try sync.addHandler(MessageToByteHandler(FrameEncoder()))
        try sync.addHandler(HandshakeWatcher(promise: promise))
        let asyncChannel = try NIOAsyncChannel<Frame, ByteBuffer>(wrappingChannelSynchronously: channel)
        return Connection(channel: asyncChannel, handshake: promise.futureResult,
                          remoteAddress: channel.remoteAddress?.description ?? "?")
    }
}

public enum TransportDefaults {
    /// Default frame limit: a 100,000-value update packs into about 1,600 ciphertexts of
    /// 512 bytes (0.8 MB); 16 MiB leaves room for larger jobs and 3072-bit keys.
    public static let frameLimit = 16 << 20
}
