import TesseraMath
import TesseraRandom

/// Holder i's share sᵢ = f(i) of the threshold decryption key. Secret: never logged, never
/// leaves its holder. `description` does not print it.
public struct KeyShare: Sendable, CustomStringConvertible {
    public let index: Int
    let secret: BigInt
    let publicKey: ThresholdPublicKey?

    init(uncheckedIndex index: Int, secret: BigInt, publicKey: ThresholdPublicKey? = nil) {
        self.index = index
        self.secret = secret
        self.publicKey = publicKey
    }

    /// Restores a share from its stored parts, checking it against its verification key
    /// (vᵢ = v^(Δ·sᵢ)), so that a share from another key or a corrupted one is refused.
    public init(index: Int, secret: BigInt, publicKey: ThresholdPublicKey) throws {
        guard (1...publicKey.shareCount).contains(index) else { throw PaillierError.unknownShareHolder(index: index) }
        let n2 = publicKey.paillier.nSquared
        guard !secret.isNegative,
              publicKey.verificationBase.powerSecret(publicKey.delta * secret, modulus: n2)
                == publicKey.verificationKeys[index - 1] else {
            throw PaillierError.invalidKey("share \(index) does not match its verification key (another key, or corrupted)")
        }
        self.init(uncheckedIndex: index, secret: secret, publicKey: publicKey)
    }

    public var description: String { "KeyShare(holder \(index), secret redacted)" }

    /// The stored form of the secret (for key files written with mode 0600).
    public var secretForStorage: BigInt { secret }

    /// cᵢ = c^(2Δ·sᵢ) mod n², with a proof that log_{c⁴}(cᵢ²) = log_v(vᵢ).
    public func partialDecrypt<R: RandomSource>(_ c: Ciphertext, using rng: inout R) throws -> PartialDecryption {
        guard let key = publicKey else { throw PaillierError.invalidKey("share has no public key attached") }
        guard c.keyID == key.id else { throw PaillierError.keyMismatch(expected: key.id, found: c.keyID) }
        _ = try key.paillier.ciphertext(c.value)
        let n2 = key.paillier.nSquared
        let witness = key.delta * secret
        let value = c.value.powerSecret(witness * 2, modulus: n2)
        let statement = EqualityOfLogs.Statement(
            modulus: n2,
            g1: c.value.power(BigInt(4), modulus: n2),
            h1: value.power(BigInt(2), modulus: n2),
            g2: key.verificationBase,
            h2: key.verificationKeys[index - 1],
            context: EqualityOfLogs.context(keyID: key.id, holder: index))
        let witnessBound = key.delta * key.paillier.nSquared  // Δ·sᵢ < Δ·n·m < Δ·n²
        let proof = EqualityOfLogs.prove(statement, witness: witness, witnessBits: witnessBound.bitWidth, using: &rng)
        return PartialDecryption(index: index, keyID: key.id, value: value, proof: proof)
    }
}

/// Holder i's contribution to decrypting one ciphertext, with its proof.
public struct PartialDecryption: Sendable, Hashable, Codable {
    public let index: Int
    public let keyID: KeyID
    public let value: BigInt
    public let proof: EqualityOfLogs.Proof

    public init(index: Int, keyID: KeyID, value: BigInt, proof: EqualityOfLogs.Proof) {
        self.index = index
        self.keyID = keyID
        self.value = value
        self.proof = proof
    }
}
