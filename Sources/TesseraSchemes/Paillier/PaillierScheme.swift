import Foundation
import TesseraCrypto
import TesseraMath
import TesseraParallel
import TesseraProtocol
import TesseraRandom

/// Packed threshold Paillier (Paillier 1999; Damgård–Jurik 2001 §4.1; packing as in
/// BatchCrypt, Zhang et al. 2020): each participant packs its values into slots and encrypts
/// each plaintext (DJN fixed-base encryption); the coordinator multiplies ciphertexts; each of
/// t holders returns partial decryptions with one batched equality-of-logs proof.
///
/// Trust: the key comes from a dealer (`tessera keys deal`) who knows the factorisation, so
/// privacy needs the dealer not to collude with the coordinator; and a holder decrypts the
/// aggregate it is shown, which it cannot check against the submissions it does not see (the
/// transcript and `tessera audit` can). The one-shot scheme has neither weakness.
public struct PaillierScheme: AggregationScheme {
    public static let name = "paillier"

    public let key: ThresholdPublicKey
    /// Holder id → share index, from the dealing.
    public let shareIndex: [String: Int]
    /// This node's share, when it is a holder.
    let share: KeyShare?

    public init(key: ThresholdPublicKey, shareIndex: [String: Int], share: KeyShare? = nil) {
        self.key = key
        self.shareIndex = shareIndex
        self.share = share
    }

    public var holders: [String] { shareIndex.keys.sorted() }
    public var threshold: Int { key.threshold }

    public struct Aggregate: Sendable {
        let ciphertexts: [Ciphertext]
        let contributors: [String]
    }

    public typealias VerifiedAnswer = [VerifiedPartialDecryption]

    public struct Admitted: Sendable {
        let ciphertexts: [Ciphertext]
        let digest: Data
    }

    /// The packing plan the spec implies (`BitWidthPlanner`); a spec whose own plan differs is refused.
    public static func plan(for spec: Tessera_V1_JobSpec, key: ThresholdPublicKey) throws -> PackingPlan {
        let plan: PackingPlan
        do {
            plan = try BitWidthPlanner.plan(valueBound: spec.valueBound,
                                            noise: NoiseBound(value: spec.noiseBound, tailProbability: 0),
                                            maxParticipants: spec.participants.count, plaintextBits: key.paillier.bits)
        } catch {
            throw ProtocolError(.malformed, "job \(spec.kind): \(error)")
        }
        guard plan.slotBits == Int(spec.slotBits), plan.slotsPerPlaintext == Int(spec.slotsPerCiphertext) else {
            throw ProtocolError(.malformed, "job packing plan (\(spec.slotBits) bits × \(spec.slotsPerCiphertext)) differs from the planner's (\(plan.slotBits) × \(plan.slotsPerPlaintext))")
        }
        return plan
    }

    func plan(_ context: RoundContext) throws -> PackingPlan { try Self.plan(for: context.spec, key: key) }

    func expectedCount(_ context: RoundContext) throws -> Int {
        try plan(context).plaintextCount(forLength: Int(context.spec.vectorLength))
    }

    // MARK: participant

    public func submit(_ update: [Int64], context: RoundContext, signer: Outbox, randomness: RandomStreams) async throws -> Tessera_V1_Submission {
        let plaintexts = try SlotPacker(plan: try plan(context)).pack(update)
        let encryptor = EncryptorCache.shared.encryptor(for: key.paillier)
        let paillier = key.paillier
        // One random stream per ciphertext: the output does not depend on the thread count.
        let ciphertexts = try await context.parallelism.map(each: plaintexts.count, minimumChunk: 8) { i in
            var rng = randomness.stream("encrypt/\(i)")
            return CiphertextCoding.encode(try encryptor.encrypt(plaintexts[i], using: &rng), key: paillier)
        }
        return .with { $0.ciphertexts = ciphertexts }
    }

    // MARK: coordinator

    public func check(_ submission: Tessera_V1_Submission, from sender: String, context: RoundContext) async throws {
        guard !submission.hasOneShot else {
            throw ProtocolError(.malformed, "job \(context.job) uses the paillier scheme; the submission carries a one-shot update")
        }
        let expected = try expectedCount(context)
        guard submission.ciphertexts.count == expected else {
            throw ProtocolError(.wrongLength, "expected \(expected) ciphertexts for \(context.spec.vectorLength) values, got \(submission.ciphertexts.count)")
        }
        let paillier = key.paillier
        try await context.parallelism.forEach(submission.ciphertexts.count, minimumChunk: 64) { range in
            for i in range { _ = try CiphertextCoding.decode(submission.ciphertexts[i], key: paillier, index: i) }
        }
    }

    public func transcribed(_ envelope: Data, submission: Tessera_V1_Submission) throws -> Data { envelope }

    public func aggregate(_ submissions: [(participant: String, submission: Tessera_V1_Submission)],
                          context: RoundContext) async throws -> (aggregate: Aggregate, request: Tessera_V1_DecryptionRequest) {
        let paillier = key.paillier
        let decoded = try submissions.map { try $0.submission.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: paillier, index: $0) } }
        guard let count = decoded.first?.count, decoded.allSatisfy({ $0.count == count }) else {
            throw ProtocolError(.internal, "no submissions to aggregate, or submissions of different lengths")
        }
        let product = try await context.parallelism.map(each: count, minimumChunk: 16) { i in
            try paillier.sum(decoded.map { $0[i] })
        }
        let contributors = submissions.map(\.participant).sorted()
        let request = Tessera_V1_DecryptionRequest.with {
            $0.ciphertexts = product.map { CiphertextCoding.encode($0, key: paillier) }
            $0.contributors = contributors
        }
        return (Aggregate(ciphertexts: product, contributors: contributors), request)
    }

    public func verify(_ answer: Tessera_V1_PartialDecryptions, from holder: String, of aggregate: Aggregate,
                       context: RoundContext) async throws -> VerifiedAnswer {
        guard let index = shareIndex[holder], Int(answer.holderIndex) == index else {
            throw ProtocolError(.invalidProof, "\(holder) claims share \(answer.holderIndex), the dealing gives it share \(shareIndex[holder] ?? 0)")
        }
        guard answer.values.count == aggregate.ciphertexts.count else {
            throw ProtocolError(.wrongLength, "expected \(aggregate.ciphertexts.count) partial decryptions, got \(answer.values.count)")
        }
        let batch = try CiphertextCoding.decode(answer, key: key)
        do {
            return try await key.verify(batch, of: aggregate.ciphertexts, parallelism: context.parallelism)
        } catch {
            throw ProtocolError(.invalidProof, "partial decryptions from \(holder) (share \(index)) do not match their proof")
        }
    }

    public func release(_ answers: [VerifiedAnswer], of aggregate: Aggregate, context: RoundContext) async throws -> [Int64] {
        let chosen = Array(answers.prefix(key.threshold))
        guard chosen.count == key.threshold else {
            throw ProtocolError(.internal, "\(chosen.count) verified holders, threshold \(key.threshold)")
        }
        let key = self.key
        let ciphertexts = aggregate.ciphertexts
        let plaintexts = try await context.parallelism.map(each: ciphertexts.count, minimumChunk: 16) { i in
            try key.combine(chosen.map { $0[i] }, of: ciphertexts[i])
        }
        do {
            return try SlotPacker(plan: try plan(context)).unpackSum(plaintexts, length: Int(context.spec.vectorLength),
                                                                      contributions: aggregate.contributors.count)
        } catch {
            throw ProtocolError(.internal, "aggregate does not decode: a contribution exceeded its bounds (\(error))")
        }
    }

    // MARK: holder

    public func admit(_ request: Tessera_V1_DecryptionRequest, context: RoundContext) async throws -> Admitted {
        let spec = context.spec
        guard request.contributors.count >= Int(spec.minParticipants),
              Set(request.contributors).isSubset(of: Set(spec.participants)),
              Set(request.contributors).count == request.contributors.count else {
            throw ProtocolError(.refused, "refusing to decrypt an aggregate of \(request.contributors.count) contributors; the job requires \(spec.minParticipants) distinct listed participants")
        }
        let expected = try expectedCount(context)
        guard request.ciphertexts.count == expected else {
            throw ProtocolError(.wrongLength, "decryption request has \(request.ciphertexts.count) ciphertexts, expected \(expected)")
        }
        let paillier = key.paillier
        let ciphertexts = try request.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: paillier, index: $0) }
        return Admitted(ciphertexts: ciphertexts, digest: Data(Blake2b.hash(Array(try request.serializedData()))))
    }

    public func digest(of admitted: Admitted) -> Data { admitted.digest }

    public func answer(_ admitted: Admitted, context: RoundContext, randomness: RandomStreams) async throws -> Tessera_V1_PartialDecryptions {
        guard let share else { throw ProtocolError(.refused, "this participant holds no share of the federation's Paillier key") }
        var rng = randomness.stream("partial-decryption")
        let batch = try await share.partialDecrypt(admitted.ciphertexts, using: &rng, parallelism: context.parallelism)
        return CiphertextCoding.encode(batch, key: key.paillier)
    }
}

/// DJN encryptors keep a fixed-base table per key (about 8 MiB at 2048 bits); building one
/// costs as much as a few hundred encryptions, so a process builds each once.
final class EncryptorCache: @unchecked Sendable {
    static let shared = EncryptorCache()
    private let lock = NSLock()
    private var encryptors: [KeyID: PaillierEncryptor] = [:]

    func encryptor(for key: PaillierPublicKey) -> PaillierEncryptor {
        lock.lock()
        defer { lock.unlock() }
        if let e = encryptors[key.id] { return e }
        let e = PaillierEncryptor(publicKey: key)
        encryptors[key.id] = e
        return e
    }
}
