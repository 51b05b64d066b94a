import Foundation
import Synchronization

/// One connection's way out. Messages leave in the order they were queued, written by one task,
/// so that no handler's message can overtake an earlier one on the wire (the participant would
/// refuse the earlier sequence as a replay). The queue is bounded in messages and in bytes: a
/// peer that lets either pile up unread has stopped reading, and `enqueue` says so instead of
/// holding more (a holder that stops reading would otherwise keep 64 decryption-request parts of
/// 8 MiB each in the coordinator's memory).
public final class OutgoingQueue: Sendable {
    /// `full`: the peer has stopped reading (reported once; the queue is finished with it).
    /// `finished`: the queue took its last message earlier; this one is dropped.
    public enum Outcome: Equatable { case queued, full, finished }

    public let messageLimit: Int
    public let byteLimit: Int
    private let continuation: AsyncStream<Data>.Continuation
    private let stream: AsyncStream<Data>
    private let unwritten = Mutex<(messages: Int, bytes: Int, finished: Bool)>((0, 0, false))

    /// A message larger than `byteLimit` is still taken when nothing else is queued, so that every
    /// frame the protocol allows can be sent.
    public init(messageLimit: Int, byteLimit: Int) {
        self.messageLimit = max(1, messageLimit)
        self.byteLimit = max(1, byteLimit)
        (stream, continuation) = AsyncStream<Data>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues `data` unless the peer already has `messageLimit` messages or `byteLimit` bytes
    /// (with this one) unwritten; then the queue is finished.
    public func enqueue(_ data: Data) -> Outcome {
        let outcome: Outcome = unwritten.withLock { queued in
            if queued.finished { return .finished }
            guard queued.messages < messageLimit, queued.messages == 0 || queued.bytes + data.count <= byteLimit else {
                queued.finished = true
                return .full
            }
            queued.messages += 1
            queued.bytes += data.count
            return .queued
        }
        switch outcome {
        case .queued: if case .terminated = continuation.yield(data) { written(data.count) }
        case .full: continuation.finish()
        case .finished: break
        }
        return outcome
    }

    /// Messages and bytes queued and not yet written.
    public var pending: (messages: Int, bytes: Int) { unwritten.withLock { ($0.messages, $0.bytes) } }

    /// No more messages; the writer stops after those queued.
    public func finish() {
        unwritten.withLock { $0.finished = true }
        continuation.finish()
    }

    /// Writes the queued messages in order through `write` until `finish`; a failed write is
    /// reported and the next message tried (the peer catches up when it reconnects).
    public func drain(_ write: (Data) async throws -> Void, onFailure: (any Error) -> Void) async {
        for await data in stream {
            do { try await write(data) } catch { onFailure(error) }
            written(data.count)
        }
    }

    private func written(_ count: Int) {
        unwritten.withLock { queued in
            queued.messages -= 1
            queued.bytes -= count
        }
    }
}
