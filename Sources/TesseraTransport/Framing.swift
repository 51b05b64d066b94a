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

/// Splits the byte stream into frames, refusing oversized ones before buffering them.
public final class FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame
    let limit: Int
    private var poisoned = false

    public init(limit: Int) { self.limit = limit }

    public func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if poisoned {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        if Int(length) > limit {
            poisoned = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(wrapInboundOut(.oversize(announced: Int(length), limit: limit)))
            return .needMoreData
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let payload = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(wrapInboundOut(.message(payload)))
        return .continue
    }

    public func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
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
