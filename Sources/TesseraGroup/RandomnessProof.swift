import TesseraParallel
import TesseraRandom

/// Proof that the sender knows the randomness r_g of every one of its ciphertext groups
/// (Schnorr 1991 identification for each c1_g = r_g·G, made non-interactive by Fiat–Shamir
/// 1986, with ONE challenge shared by all groups — the AND of m Schnorr statements).
///
/// Why: it binds a submission to its sender. A party that copies someone else's ciphertext,
/// or re-randomises it (c + Enc(0; r′) has randomness r + r′), does not know the randomness
/// and cannot produce a proof under its own context; so nobody can submit a function of
/// another participant's secret.
///
///     prover:   k_g random, T_g = k_g·G,
///               e = Scalar.hash("tessera/elgamal/randomness-pok/v1",
///                               [context, H₁‖…‖H_L, c1₀‖…‖c1_{m−1}, c2 of group 0, …, c2 of group m−1, T₀‖…‖T_{m−1}]),
///               z_g = k_g + e·r_g;  proof = (e, z₀…z_{m−1})
///     verifier: T_g = z_g·G − e·c1_g, accept iff e recomputes.
///
/// Each group's c2 values are one part (their concatenation), so group sizes are bound too.
/// `context` is the caller's: it must name the sender, the job and the round.
public struct RandomnessProof: Sendable, Hashable {
    public static let domain = "tessera/elgamal/randomness-pok/v1"

    public let challenge: Scalar
    public let responses: [Scalar]

    public init(challenge: Scalar, responses: [Scalar]) {
        self.challenge = challenge
        self.responses = responses
    }

    /// e ‖ z₀ ‖ … ‖ z_{m−1}, 32·(m + 1) bytes.
    public var encoded: [UInt8] { ([challenge] + responses).concatenated }

    public init<C: Collection>(encoded: C, groups m: Int) throws where C.Element == UInt8 {
        let scalars = try [Scalar](concatenated: encoded, count: m + 1, what: "randomness proof scalar")
        self.init(challenge: scalars[0], responses: Array(scalars[1...]))
    }

    /// Proves knowledge of `encryption.randomness`; the nonces k_g are drawn from `rng` in
    /// group order (64 bytes each, see `Scalar.random`).
    public static func prove<R: RandomSource>(_ encryption: ElGamalEncryption, publicKey: ElGamalPublicKey,
                                              context: [UInt8], using rng: inout R,
                                              parallelism: Parallelism = .serial) async throws -> RandomnessProof {
        let nonces = encryption.ciphertexts.indices.map { _ in Scalar.random(using: &rng) }
        return try await prove(encryption, nonces: nonces, publicKey: publicKey, context: context, parallelism: parallelism)
    }

    /// With the nonces given: only for known-answer vectors (a repeated nonce reveals r_g).
    static func prove(_ encryption: ElGamalEncryption, nonces: [Scalar], publicKey: ElGamalPublicKey,
                      context: [UInt8], parallelism: Parallelism) async throws -> RandomnessProof {
        let m = encryption.ciphertexts.count
        guard m > 0, encryption.randomness.count == m, nonces.count == m else {
            throw GroupError.shapeMismatch("a randomness proof needs one randomness and one nonce per group (≥ 1 group)")
        }
        let commitments = try await parallelism.map(each: m) { g in GroupElement.base(nonces[g]) }
        let e = challenge(encryption.ciphertexts, commitments: commitments, publicKey: publicKey, context: context)
        let z = (0..<m).map { g in nonces[g] + e * encryption.randomness[g].scalar }
        return RandomnessProof(challenge: e, responses: z)
    }

    /// Throws `GroupError.invalidRandomnessProof` unless the proof verifies for exactly these
    /// ciphertexts, key and context. One base and one variable-base multiplication and one
    /// subtraction per group, in parallel over groups.
    public func verify(_ ciphertexts: [ElGamalCiphertext], publicKey: ElGamalPublicKey, context: [UInt8],
                       parallelism: Parallelism = .serial) async throws {
        guard !ciphertexts.isEmpty, responses.count == ciphertexts.count else {
            throw GroupError.shapeMismatch("\(responses.count) proof responses for \(ciphertexts.count) ciphertext groups")
        }
        for (g, c) in ciphertexts.enumerated() where !(1...publicKey.count).contains(c.count) {
            throw GroupError.invalidGroupSize(group: g, count: c.count, keys: publicKey.count)
        }
        let e = challenge, z = responses
        let commitments = try await parallelism.map(each: ciphertexts.count) { g in
            GroupElement.base(z[g]) - ciphertexts[g].c1.multiplied(by: e)
        }
        guard Self.challenge(ciphertexts, commitments: commitments, publicKey: publicKey, context: context) == e else {
            throw GroupError.invalidRandomnessProof
        }
    }

    static func challenge(_ ciphertexts: [ElGamalCiphertext], commitments: [GroupElement],
                          publicKey: ElGamalPublicKey, context: [UInt8]) -> Scalar {
        var parts: [[UInt8]] = [context, publicKey.encoded, ciphertexts.map(\.c1).concatenated]
        parts.reserveCapacity(ciphertexts.count + 4)
        for c in ciphertexts { parts.append(c.c2.concatenated) }
        parts.append(commitments.concatenated)
        return Scalar.hash(domain: domain, parts)
    }
}
