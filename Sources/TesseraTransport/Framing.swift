import Foundation
import NIOCore

/// One inbound unit of the framed protocol (protocol/README.md §"Framing"): a frame is a
/// 4-byte big-endian length followed by that many bytes (one serialized Envelope).
public enum Frame: Sendable {
    case message(ByteBuffer)
    /// A frame announced a length over the limit. Its bytes are not read; the connection
    /// cannot be resynchronised and is closed after the refusal is sent.
    case oversize(announced: Int, limit: Int)
}

/// Splits the byte stream into frames, refusing oversized ones before buffering them, and
/// bounding how long a peer may hold a connection without completing frames
/// (`TransportLimits`): the first frame must arrive within `firstFrame` of the connection
/// (a TLS handshake that never finishes, or a session that never speaks), and a frame once
/// begun must be complete within `stall` (a length announced and never sent). Either closes
/// the connection with a `FrameTimeout` error.
public final class FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame
    let limit: Int
    let limits: TransportLimits?
    private var poisoned = false
    private var firstFrameTimer: Scheduled<Void>?
    private var stallTimer: Scheduled<Void>?

    public init(limit: Int, limits: TransportLimits? = nil) {
        self.limit = limit
        self.limits = limits
    }

    public func decoderAdded(context: ChannelHandlerContext) {
        guard let limits else { return }
        let channel = context.channel, seconds = limits.firstFrame
        firstFrameTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            channel.pipeline.fireErrorCaught(FrameTimeout.noFirstFrame(seconds: seconds))
            channel.close(promise: nil)
        }
    }

    public func decoderRemoved(context: ChannelHandlerContext) {
        firstFrameTimer?.cancel()
        stallTimer?.cancel()
    }

    public func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if poisoned {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        guard let frame = Self.next(&buffer, limit: limit) else { return waiting(context, buffer) }
        guard case .message = frame else {
            poisoned = true
            context.fireChannelRead(wrapInboundOut(frame))
            return .needMoreData
        }
        firstFrameTimer?.cancel()
        firstFrameTimer = nil
        stallTimer?.cancel()
        stallTimer = nil
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// The framing itself, without a channel: the next frame of `buffer` (consumed), nil if it
    /// is incomplete (nothing consumed), or `.oversize` (the rest of the buffer discarded: the
    /// stream cannot be resynchronised).
    public static func next(_ buffer: inout ByteBuffer, limit: Int) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        if Int(length) > limit {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .oversize(announced: Int(length), limit: limit)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return .message(buffer.readSlice(length: Int(length))!)
    }

    /// A frame is incomplete: start its stall clock (once per frame).
    private func waiting(_ context: ChannelHandlerContext, _ buffer: ByteBuffer) -> DecodingState {
        if let limits, buffer.readableBytes > 0, stallTimer == nil {
            let channel = context.channel, seconds = limits.stall, have = buffer.readableBytes
            stallTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                channel.pipeline.fireErrorCaught(FrameTimeout.stalled(seconds: seconds, bytes: have))
                channel.close(promise: nil)
            }
        }
        return .needMoreData
    }

    public func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// How long a peer may hold a server connection without completing frames.
public struct TransportLimits: Sendable {
    /// Seconds from accepting the connection to its first complete frame (TLS handshake included).
    public var firstFrame: Double
    /// Seconds a frame, once begun, may take to arrive whole.
    public var stall: Double
    public init(firstFrame: Double = 10, stall: Double = 30) {
        self.firstFrame = firstFrame
        self.stall = stall
    }
}

/// A connection closed because its peer held it without completing frames.
public enum FrameTimeout: Error, CustomStringConvertible {
    case noFirstFrame(seconds: Double)
    case stalled(seconds: Double, bytes: Int)

    /// The rejection reason counted in the metrics.
    public var reason: String {
        switch self {
        case .noFirstFrame: "first_frame_timeout"
        case .stalled: "frame_stalled"
        }
    }

    public var description: String {
        switch self {
        case .noFirstFrame(let s): "no complete frame within \(s) s of connecting (TLS handshake or first message missing)"
        case .stalled(let s, let b): "a frame begun \(s) s ago is still incomplete (\(b) bytes of it received)"
        }
    }
}

/// Prefixes each outbound message with its 4-byte big-endian length.
final class FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes))
        var data = data
        out.writeBuffer(&data)
    }
}

extension ByteBuffer {
    /// A buffer holding exactly `data` (one protocol frame's payload).
    public init(data: Data) {
        self = ByteBufferAllocator().buffer(capacity: data.count)
        writeBytes(data)
    }
}
