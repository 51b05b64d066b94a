import Foundation
import Synchronization

/// One connection's way out. Messages leave in the order they were queued, written by one task,
/// so that no handler's message can overtake an earlier one on the wire (the participant would
/// refuse the earlier sequence as a replay). The queue is bounded in messages and in bytes: a
/// peer that lets either pile up unread has stopped reading, and `enqueue` says so instead of
/// holding more. A sender of a long series (a decryption request in parts) can wait for room
/// before it makes the next message, so that the series is never all in memory at once.
public final class OutgoingQueue: Sendable {
    /// `full`: the peer has stopped reading (reported once; the queue is finished with it).
    /// `finished`: the queue took its last message earlier; this one is dropped.
    public enum Outcome: Equatable { case queued, full, finished }

    public let messageLimit: Int
    public let byteLimit: Int
    private let continuation: AsyncStream<Data>.Continuation
    private let stream: AsyncStream<Data>

    private struct State {
        var messages = 0
        var bytes = 0
        var finished = false
        /// Senders waiting until at most `bytes` are unwritten (true) or the queue finishes (false).
        var waiters: [(bytes: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    }
    private let state = Mutex(State())

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
        let outcome: Outcome = state.withLock { s in
            if s.finished { return .finished }
            guard s.messages < messageLimit, s.messages == 0 || s.bytes + data.count <= byteLimit else {
                s.finished = true
                return .full
            }
            s.messages += 1
            s.bytes += data.count
            return .queued
        }
        switch outcome {
        case .queued: if case .terminated = continuation.yield(data) { written(data.count) }
        case .full: finish()
        case .finished: break
        }
        return outcome
    }

    /// Messages and bytes queued and not yet written.
    public var pending: (messages: Int, bytes: Int) { state.withLock { ($0.messages, $0.bytes) } }

    /// Returns true once at most `bytes` are unwritten, false if the queue has finished (the
    /// connection is closing: nothing more will be sent on it).
    public func waitForRoom(unwrittenAtMost bytes: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            let now: Bool? = state.withLock { s in
                if s.finished { return false }
                if s.bytes <= bytes { return true }
                s.waiters.append((bytes, continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// No more messages; the writer stops after those queued, and waiting senders are told.
    public func finish() {
        let waiting = state.withLock { s in
            s.finished = true
            defer { s.waiters = [] }
            return s.waiters
        }
        continuation.finish()
        for waiter in waiting { waiter.continuation.resume(returning: false) }
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
        let ready = state.withLock { s in
            s.messages -= 1
            s.bytes -= count
            let bytes = s.bytes
            let ready = s.waiters.filter { $0.bytes >= bytes }
            s.waiters.removeAll { $0.bytes >= bytes }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }
}
