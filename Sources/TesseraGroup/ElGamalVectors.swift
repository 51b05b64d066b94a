import Foundation
import TesseraParallel
import TesseraRandom

/// Known-answer vectors for this module (protocol/vectors/elgamal.json): a 2-of-3 Joint-Feldman
/// dealing with L = 2 keys, two submissions with fixed randomness and their randomness proofs,
/// their aggregate, every holder's partial decryption and proof, a combination and its discrete
/// logarithms, and inputs that must be rejected. Deterministic: every random value comes from
/// `ChaCha20DRBG(seed)` in the order the fields are listed, and every nonce is recorded so that
/// another implementation can reproduce each byte. Bytes are lowercase hex; points and scalars
/// are 32-byte encodings.
public enum ElGamalVectors {
    public struct Proof: Codable, Equatable, Sendable {
        public var challenge: String
        public var responses: [String]
    }

    public struct Ciphertext: Codable, Equatable, Sendable {
        public var c1: String
        public var c2: [String]
    }

    public struct Dealer: Codable, Equatable, Sendable {
        public var index: Int
        /// polynomials[l][k] = a_{i,l,k}.
        public var polynomials: [[String]]
        /// commitments[l][k] = A_{i,l,k}.
        public var commitments: [[String]]
        /// Dealing.serialized.
        public var serialized: String
        public var shares: [Share]
    }

    public struct Share: Codable, Equatable, Sendable {
        public var holder: Int
        public var values: [String]
    }

    public struct KeyShare: Codable, Equatable, Sendable {
        public var index: Int
        public var secrets: [String]
        public var verificationKey: [String]
        /// ElGamalKeyShare.serialized.
        public var serialized: String
    }

    public struct Submission: Codable, Equatable, Sendable {
        public var sender: String
        public var context: String
        public var messages: [[UInt64]]
        public var randomness: [String]
        public var ciphertexts: [Ciphertext]
        public var proofNonces: [String]
        public var proof: Proof
    }

    public struct Partial: Codable, Equatable, Sendable {
        public var index: Int
        public var nonces: [String]
        /// shares[g][l] = D_{g,l}.
        public var shares: [[String]]
        public var proof: Proof
    }

    public struct Plan: Codable, Equatable, Sendable {
        public var base: UInt64
        public var digits: Int
        public var babyDigits: Int
        public var expectedDigit: UInt64
    }

    public struct Combination: Codable, Equatable, Sendable {
        public var holders: [Int]
        public var lagrange: [String]
        /// points[g][l] = m_{g,l}·G.
        public var points: [[String]]
        public var discreteLog: Plan
        /// The table's answers: null where the value is outside [0, B^k).
        public var solved: [[UInt64?]]
    }

    public struct InvalidShare: Codable, Equatable, Sendable {
        public var description: String
        public var dealer: Int
        public var holder: Int
        public var values: [String]
    }

    public struct InvalidRandomnessProof: Codable, Equatable, Sendable {
        public var description: String
        public var context: String
        public var ciphertexts: [Ciphertext]
        public var proof: Proof
    }

    public struct InvalidPartial: Codable, Equatable, Sendable {
        public var description: String
        /// The holder whose key the partial is checked against (and who is named in the error).
        public var index: Int
        public var shares: [[String]]
        public var proof: Proof
    }

    public struct InvalidEncoding: Codable, Equatable, Sendable {
        public var description: String
        /// "point" or "scalar".
        public var kind: String
        public var bytes: String
    }

    public struct Invalid: Codable, Equatable, Sendable {
        public var shares: [InvalidShare]
        public var randomnessProofs: [InvalidRandomnessProof]
        public var partials: [InvalidPartial]
        public var encodings: [InvalidEncoding]
    }

    public struct File: Codable, Equatable, Sendable {
        public var version: String
        public var description: String
        public var seed: String
        public var threshold: Int
        public var holders: Int
        public var keys: Int
        public var dealers: [Dealer]
        public var qualified: [Int]
        public var publicKey: [String]
        public var keyShares: [KeyShare]
        public var submissions: [Submission]
        public var aggregate: [Ciphertext]
        public var decryptionContext: String
        public var partials: [Partial]
        public var combination: Combination
        public var invalid: Invalid
    }

    /// Pretty-printed JSON with sorted keys and a final newline, as in the other vector files.
    public static func encode(_ file: File) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(file) + Data("\n".utf8)
    }

    public static func generate(seed: Seed) async throws -> File {
        var rng = ChaCha20DRBG(seed: seed)
        let t = 2, n = 3, keys = 2
        let serial = Parallelism.serial

        // Dealings of holders 1…3 (every dealer is qualified).
        let dealings = try (1...n).map { _ in try Dealing.create(threshold: t, holders: n, keys: keys, using: &rng) }
        let qualified = Array(1...n)
        let publicKey = try Dealing.publicKey(dealings.map(\.commitments))
        let keyShares = try (1...n).map { j in try ElGamalKeyShare(index: j, summing: try dealings.map { try $0.shares(for: j) }) }
        let verificationKeys = try (1...n).map { j in try Dealing.verificationKey(index: j, dealings.map(\.commitments)) }
        for (s, v) in zip(keyShares, verificationKeys) { precondition(s.verificationKey == v) }

        // Two submissions: zeros, one, the top of the B = 81, k = 3 range, the message limit − 1, packed digits.
        let encryptor = ElGamalEncryptor(publicKey: publicKey)
        let senders = ["brand-a", "brand-b"]
        let messages: [[[UInt64]]] = [
            [[0, 0], [1, 531_439], [ElGamalEncryptor.messageLimit - 1], [126_380, 7]],
            [[0, 0], [0, 1], [0], [139_340, 0]],
        ]
        var submissions: [Submission] = []
        var encryptions: [ElGamalEncryption] = []
        var proofs: [RandomnessProof] = []
        var contexts: [[UInt8]] = []
        for (sender, groups) in zip(senders, messages) {
            let context = Array("tessera/vectors/elgamal/submission/\(sender)".utf8)
            let randomness = groups.map { _ in ElGamalRandomness(Scalar.random(using: &rng)) }
            let ciphertexts = try zip(groups, randomness).enumerated().map { g, pair in
                try encryptor.encrypt(pair.0, randomness: pair.1, group: g)
            }
            let encryption = ElGamalEncryption(ciphertexts: ciphertexts, randomness: randomness)
            let nonces = groups.map { _ in Scalar.random(using: &rng) }
            let pok = try await RandomnessProof.prove(encryption, nonces: nonces, publicKey: publicKey, context: context, parallelism: serial)
            try await pok.verify(ciphertexts, publicKey: publicKey, context: context)
            encryptions.append(encryption)
            proofs.append(pok)
            contexts.append(context)
            submissions.append(Submission(sender: sender, context: hex(context), messages: groups,
                                          randomness: randomness.map { hex($0.scalar) }, ciphertexts: ciphertexts.map(ciphertext),
                                          proofNonces: nonces.map(hex), proof: proof(pok)))
        }
        let aggregate = try await ElGamalCiphertext.sum(encryptions.map(\.ciphertexts))
        let aggregates = aggregate.map(\.c1)

        // Every holder's partial decryption of the aggregate.
        let decryptionContext = Array("tessera/vectors/elgamal/decryption".utf8)
        var partials: [ElGamalPartialDecryption] = []
        var partialVectors: [Partial] = []
        for share in keyShares {
            let nonces = (0..<keys).map { _ in Scalar.random(using: &rng) }
            let p = try await share.partialDecrypt(aggregates, context: decryptionContext, nonces: nonces, parallelism: serial)
            partials.append(p)
            partialVectors.append(Partial(index: p.index, nonces: nonces.map(hex), shares: p.shares.map(hexes), proof: proof(p.proof)))
        }
        var verified: [VerifiedElGamalPartial] = []
        for (p, key) in zip(partials, verificationKeys) {
            verified.append(try await key.verify(p, of: aggregates, context: decryptionContext))
        }

        // Combination by holders 1 and 3, and the discrete logarithms.
        let holders = [1, 3]
        let plan = try DiscreteLogPlan.plan(base: 81, digits: 3, expectedDigit: 40)
        let table = try await DiscreteLogTable(plan: plan)
        let points = try await ElGamalCombiner.combine(aggregate, partials: holders.map { verified[$0 - 1] }, threshold: t)
        let combination = Combination(holders: holders, lagrange: try Lagrange.coefficientsAtZero(for: holders).map(hex),
                                      points: points.map(hexes),
                                      discreteLog: Plan(base: plan.base, digits: plan.digits, babyDigits: plan.babyDigits,
                                                        expectedDigit: plan.expectedDigit),
                                      solved: points.map { $0.map { table.solve($0) } })

        // What must be rejected.
        var badShare = try dealings[1].shares(for: 3)
        badShare[0] = badShare[0] + .one
        let invalidShares = [InvalidShare(description: "dealer 2's share of key 1 for holder 3, plus one: Dealing.verify is false",
                                          dealer: 2, holder: 3, values: badShare.map(hex))]

        var tamperedResponses = proofs[0].responses
        tamperedResponses[0] = tamperedResponses[0] + .one
        var swappedResponses = proofs[0].responses
        swappedResponses.swapAt(0, 1)
        let rerandomised = try encryptor.encrypt([0, 0], randomness: ElGamalRandomness(Scalar.random(using: &rng)))
        var copied = encryptions[0].ciphertexts
        copied[0] = copied[0] + rerandomised
        let contextA = contexts[0], contextB = contexts[1]
        let invalidProofs = [
            InvalidRandomnessProof(description: "brand-a's proof with its first response plus one", context: hex(contextA),
                                   ciphertexts: submissions[0].ciphertexts,
                                   proof: Proof(challenge: hex(proofs[0].challenge), responses: tamperedResponses.map(hex))),
            InvalidRandomnessProof(description: "brand-a's proof with responses 0 and 1 swapped", context: hex(contextA),
                                   ciphertexts: submissions[0].ciphertexts,
                                   proof: Proof(challenge: hex(proofs[0].challenge), responses: swappedResponses.map(hex))),
            InvalidRandomnessProof(description: "brand-a's ciphertexts and proof submitted under brand-b's context", context: hex(contextB),
                                   ciphertexts: submissions[0].ciphertexts, proof: submissions[0].proof),
            InvalidRandomnessProof(description: "brand-a's ciphertexts with Enc(0; r') added to group 0, under brand-b's context, with brand-a's proof",
                                   context: hex(contextB), ciphertexts: copied.map(ciphertext), proof: submissions[0].proof),
        ]

        var badResponse = partials[1].proof.responses
        badResponse[1] = badResponse[1] + .one
        var badShares = partials[2].shares
        badShares[0][0] = badShares[0][0] + .generator
        let invalidPartials = [
            InvalidPartial(description: "holder 2's partial with its second response plus one", index: 2,
                           shares: partialVectors[1].shares,
                           proof: Proof(challenge: hex(partials[1].proof.challenge), responses: badResponse.map(hex))),
            InvalidPartial(description: "holder 1's partial (shares and proof) presented as holder 2's", index: 2,
                           shares: partialVectors[0].shares, proof: partialVectors[0].proof),
            InvalidPartial(description: "holder 3's partial with D[0][0] + G and its original proof", index: 3,
                           shares: badShares.map(hexes), proof: partialVectors[2].proof),
        ]
        let invalidEncodings = [
            InvalidEncoding(description: "non-canonical field element (RFC 9496 A.2)", kind: "point",
                            bytes: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            InvalidEncoding(description: "negative field element (RFC 9496 A.2)", kind: "point",
                            bytes: "0100000000000000000000000000000000000000000000000000000000000000"),
            InvalidEncoding(description: "the group order ℓ as a scalar (not < ℓ)", kind: "scalar",
                            bytes: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"),
            InvalidEncoding(description: "2^256 − 1 as a scalar", kind: "scalar",
                            bytes: String(repeating: "ff", count: 32)),
        ]

        return File(
            version: "tessera/vectors/elgamal/v1",
            description: "TEST KEYS, never use for data. Threshold exponential ElGamal on ristretto255 (RFC 9496) with L keys and one randomness per group; Joint-Feldman DKG; batched Schnorr proof of the randomness; batched Chaum–Pedersen partial decryptions. Hash inputs and encodings: protocol/README.md §6 and the doc comments of TesseraGroup.",
            seed: hex(seed.bytes), threshold: t, holders: n, keys: keys,
            dealers: try dealings.enumerated().map { i, d in
                Dealer(index: i + 1, polynomials: d.polynomials.map { $0.coefficients.map(hex) },
                       commitments: d.commitments.map(hexes), serialized: hex(d.serialized),
                       shares: try (1...n).map { j in Share(holder: j, values: try d.shares(for: j).map(hex)) })
            },
            qualified: qualified, publicKey: hexes(publicKey.keys),
            keyShares: zip(keyShares, verificationKeys).map { s, v in
                KeyShare(index: s.index, secrets: s.secrets.map(hex), verificationKey: hexes(v.points), serialized: hex(s.serialized))
            },
            submissions: submissions, aggregate: aggregate.map(ciphertext), decryptionContext: hex(decryptionContext),
            partials: partialVectors, combination: combination,
            invalid: Invalid(shares: invalidShares, randomnessProofs: invalidProofs, partials: invalidPartials, encodings: invalidEncodings))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.hex }
    static func hex(_ s: Scalar) -> String { s.bytes.hex }
    static func hexes(_ points: [GroupElement]) -> [String] { points.map { $0.encoded.hex } }
    static func ciphertext(_ c: ElGamalCiphertext) -> Ciphertext { Ciphertext(c1: c.c1.encoded.hex, c2: hexes(c.c2)) }
    static func proof(_ p: RandomnessProof) -> Proof { Proof(challenge: hex(p.challenge), responses: p.responses.map(hex)) }
    static func proof(_ p: ElGamalPartialDecryption.Proof) -> Proof { Proof(challenge: hex(p.challenge), responses: p.responses.map(hex)) }
}
