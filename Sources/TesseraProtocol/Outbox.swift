import Foundation
import TesseraCrypto

/// Builds, signs and serializes a node's outgoing messages with a durable sequence counter.
public struct Outbox: Sendable {
    public let federation: String
    public let sender: String
    public let key: SigningKey
    public let nextSequence: @Sendable () throws -> UInt64

    public init(federation: String, sender: String, key: SigningKey, nextSequence: @escaping @Sendable () throws -> UInt64) {
        self.federation = federation
        self.sender = sender
        self.key = key
        self.nextSequence = nextSequence
    }

    /// A sealed, serialized envelope for `payload` bound to (federation, job, round, sender, sequence).
    public func seal(job: String, round: Int, _ payload: Tessera_V1_Body.OneOf_Payload) throws -> Data {
        var body = Tessera_V1_Body()
        body.federation = federation
        body.sender = sender
        body.jobID = job
        body.round = UInt32(round)
        body.sequence = try Self.isSequenced(payload) ? nextSequence() : 0
        body.payload = payload
        return try SignedEnvelope.seal(body, with: key).serializedData()
    }

    /// Hello and status messages change no state, so they carry sequence 0 and are exempt
    /// from replay ordering (each arrives on the sender's own mutually authenticated
    /// connection); every other message takes the sender's next sequence number. So the
    /// sequence numbers of the transcribed messages do not depend on reconnections. A key
    /// layer is never sent on its own: it is signed inside a (sequenced) submission, bound to
    /// its job and round, and carries 0.
    public static func isSequenced(_ payload: Tessera_V1_Body.OneOf_Payload?) -> Bool {
        switch payload {
        case .hello, .status, .keyLayer, .stewardDecision: false
        default: true
        }
    }

    public func status(_ code: Tessera_V1_ErrorCode, _ message: String, acking sequence: UInt64,
                       job: String = "", round: Int = 0) throws -> Data {
        var status = Tessera_V1_Status()
        status.code = code
        status.message = message
        status.ackedSequence = sequence
        return try seal(job: job, round: round, .status(status))
    }
}

extension Tessera_V1_Envelope {
    /// Parses a frame; a failure is a named MALFORMED refusal.
    public static func parse(_ data: Data) throws -> Tessera_V1_Envelope {
        do { return try Tessera_V1_Envelope(serializedBytes: data) } catch {
            throw ProtocolError(.malformed, "frame is not a protocol envelope (\(data.count) bytes)")
        }
    }
}
