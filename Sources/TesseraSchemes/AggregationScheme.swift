import Foundation
import TesseraParallel
import TesseraProtocol
import TesseraRandom

/// What every side of a round knows: the federation, the job's signed spec, the round, and
/// how many threads the node gives its cryptography.
public struct RoundContext: Sendable {
    public let federation: FederationInfo
    public let job: String
    public let round: Int
    public let spec: Tessera_V1_JobSpec
    public let parallelism: Parallelism
    /// Simulations only: a fault that a participant's `--faults` file injects into its own
    /// submission (`inconsistent-mask`). Package-internal, so nothing outside this package can
    /// set it; the participant sets it only from its fault list, and nothing else reads it.
    package var injectedFault: InjectedSchemeFault?

    public init(federation: FederationInfo, job: String, round: Int, spec: Tessera_V1_JobSpec, parallelism: Parallelism) {
        self.federation = federation
        self.job = job
        self.round = round
        self.spec = spec
        self.parallelism = parallelism
    }

    /// Bytes that bind a proof to this federation, job and round (and a party).
    public func binding(_ label: String, party: String) -> [UInt8] {
        func framed(_ s: String) -> [UInt8] { withUnsafeBytes(of: UInt32(s.utf8.count).bigEndian, Array.init) + Array(s.utf8) }
        return framed(label) + framed(federation.name) + framed(job) + withUnsafeBytes(of: UInt32(round).bigEndian, Array.init) + framed(party)
    }
}

/// Simulations only: faults a scheme applies to a participant's own submission.
package enum InjectedSchemeFault: Sendable {
    /// One-shot: the masked vector uses one secret, the key layer encrypts another.
    case inconsistentMask
}

/// One additively homomorphic aggregation scheme, as each side of a round uses it: what a
/// participant sends, what the coordinator checks, aggregates and asks the key holders to
/// decrypt, what a holder checks before it answers, and how the answers combine into the
/// round's sums. Everything above this boundary (jobs, noise, ledgers, transcripts,
/// simulations) is the same for every scheme.
///
/// Messages cross the boundary as protocol types, so that the coordinator and the auditor can
/// store and transcribe them without knowing the scheme; the scheme's own values (ciphertexts,
/// verified shares) stay behind it as associated types.
public protocol AggregationScheme: Sendable {
    /// The coordinator's aggregate of one round: what holders' answers are checked against.
    associatedtype Aggregate: Sendable
    /// A holder's answer once its proof has verified: only these can be combined.
    associatedtype VerifiedAnswer: Sendable
    /// A decryption request a holder has checked and agreed to answer.
    associatedtype Admitted: Sendable

    /// "paillier" or "one-shot", as in `JobSpec.scheme`.
    static var name: String { get }

    /// The key holders who can answer decryption requests, sorted.
    var holders: [String] { get }
    /// How many of them must answer.
    var threshold: Int { get }

    // MARK: participant

    /// Encrypts or masks one round's update (already clipped and noised). `signer` signs any
    /// part of the submission that others verify on their own (the one-shot key layer).
    func submit(_ update: [Int64], context: RoundContext, signer: Outbox, randomness: RandomStreams) async throws -> Tessera_V1_Submission

    // MARK: coordinator

    /// Checks a submission before it is stored (shape, encodings, proofs, signatures),
    /// throwing a `ProtocolError` that names what is wrong.
    func check(_ submission: Tessera_V1_Submission, from sender: String, context: RoundContext) async throws

    /// What the transcript keeps of a stored submission envelope: the envelope itself, or
    /// the signed part of it that holders saw.
    func transcribed(_ envelope: Data, submission: Tessera_V1_Submission) throws -> Data

    /// The aggregate of the round's stored submissions (by participant, sorted), and the
    /// request the holders receive.
    func aggregate(_ submissions: [(participant: String, submission: Tessera_V1_Submission)],
                   context: RoundContext) async throws -> (aggregate: Aggregate, request: Tessera_V1_DecryptionRequest)

    /// Checks one holder's answer against the aggregate (`INVALID_PROOF` names the holder).
    func verify(_ answer: Tessera_V1_PartialDecryptions, from holder: String, of aggregate: Aggregate,
                context: RoundContext) async throws -> VerifiedAnswer

    /// Combines the answers of `threshold` holders and decodes the round's sums.
    func release(_ answers: [VerifiedAnswer], of aggregate: Aggregate, context: RoundContext) async throws -> [Int64]

    // MARK: holder

    /// Checks a decryption request before answering it. The returned value carries a digest
    /// that the holder records durably, so that it answers at most one request per (job, round).
    func admit(_ request: Tessera_V1_DecryptionRequest, context: RoundContext) async throws -> Admitted

    /// The digest a holder records for an admitted request.
    func digest(of admitted: Admitted) -> Data

    /// This holder's partial decryptions of an admitted request, with their proof.
    func answer(_ admitted: Admitted, context: RoundContext, randomness: RandomStreams) async throws -> Tessera_V1_PartialDecryptions
}

/// Errors of a scheme are protocol refusals; this names the most common one.
extension ProtocolError {
    static func invalid(_ code: Tessera_V1_ErrorCode, _ message: String) -> ProtocolError { ProtocolError(code, message) }
}
