import Foundation
import SwiftProtobuf
import TesseraCrypto

/// Signing and opening of protocol messages (protocol/README.md §"Envelopes").
///
/// The signature covers the serialized `Body` bytes exactly as sent, prefixed with a domain
/// separator; receivers verify those bytes before parsing them, and the transcript stores
/// them unchanged. No re-serialization is ever needed to check a signature, so protobuf's
/// lack of a canonical form does not matter.
public enum SignedEnvelope {
    public static let domain = Array("tessera/v1/envelope".utf8)

    public static func seal(_ body: Tessera_V1_Body, with key: SigningKey) throws -> Tessera_V1_Envelope {
        let bytes = try [UInt8](body.serializedBytes() as Data)
        var envelope = Tessera_V1_Envelope()
        envelope.body = Data(bytes)
        envelope.signature = Data(key.sign(domain + bytes))
        return envelope
    }

    /// Parses the body and verifies its signature by the key `keyFor(sender)` returns.
    /// Fails with `.unknownSender` if there is no key for the claimed sender.
    public static func open(_ envelope: Tessera_V1_Envelope,
                            keyFor: (String) -> VerifyingKey?) throws -> Tessera_V1_Body {
        let body: Tessera_V1_Body
        do {
            var options = BinaryDecodingOptions()
            options.discardUnknownFields = false
            body = try Tessera_V1_Body(serializedBytes: envelope.body, options: options)
        } catch {
            throw ProtocolError(.malformed, "message body does not parse: \(error)")
        }
        guard body.unknownFields.data.isEmpty else { throw ProtocolError(.malformed, "message body has unknown fields") }
        guard let key = keyFor(body.sender) else {
            throw ProtocolError(.identityMismatch, "message claims sender \(body.sender.debugDescription), which is not the authenticated peer")
        }
        guard key.isValidSignature([UInt8](envelope.signature), for: domain + [UInt8](envelope.body)) else {
            throw ProtocolError(.badSignature, "signature of \(body.sender) does not verify")
        }
        return body
    }
}

/// A protocol-level refusal: the code travels in `Status.code`, the message names the problem.
public struct ProtocolError: Error, CustomStringConvertible, Equatable {
    public let code: Tessera_V1_ErrorCode
    public let message: String

    public init(_ code: Tessera_V1_ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }
}

extension Tessera_V1_ErrorCode {
    /// The name used in logs, metrics labels and protocol/README.md.
    public var name: String {
        switch self {
        case .ok: return "ok"
        case .malformed: return "malformed"
        case .badSignature: return "bad_signature"
        case .unknownSender: return "unknown_sender"
        case .identityMismatch: return "identity_mismatch"
        case .wrongFederation: return "wrong_federation"
        case .replay: return "replay"
        case .wrongJob: return "wrong_job"
        case .wrongRound: return "wrong_round"
        case .roundClosed: return "round_closed"
        case .wrongLength: return "wrong_length"
        case .oversize: return "oversize"
        case .invalidCiphertext: return "invalid_ciphertext"
        case .invalidProof: return "invalid_proof"
        case .duplicate: return "duplicate"
        case .unexpected: return "unexpected"
        case .refused: return "refused"
        case .internal: return "internal"
        case .UNRECOGNIZED(let v): return "unrecognized_\(v)"
        }
    }
}

extension Tessera_V1_Body {
    /// The payload's name, for logs and metrics.
    public var kind: String {
        switch payload {
        case .hello: return "hello"
        case .jobSpec: return "job_spec"
        case .jobDecision: return "job_decision"
        case .roundOpen: return "round_open"
        case .submission: return "submission"
        case .decryptionRequest: return "decryption_request"
        case .partialDecryptions: return "partial_decryptions"
        case .roundResult: return "round_result"
        case .status: return "status"
        case .keyLayer: return "key_layer"
        case .dkgStart: return "dkg_start"
        case .dkgDeal: return "dkg_deal"
        case .dkgComplaints: return "dkg_complaints"
        case .dkgJustification: return "dkg_justification"
        case .dkgConfirmation: return "dkg_confirmation"
        case .dkgRelay: return "dkg_relay"
        case .dkgResult: return "dkg_result"
        case .accessRecord: return "access_record"
        case .stewardDecision: return "steward_decision"
        case .stewardRelay: return "steward_relay"
        case .jobEnded: return "job_ended"
        case .none: return "empty"
        }
    }
}
