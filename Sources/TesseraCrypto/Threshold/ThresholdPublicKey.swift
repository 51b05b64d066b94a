import TesseraMath
import TesseraRandom

/// The public material of a threshold Paillier key: the Paillier public key (anyone encrypts
/// with it), the threshold t of ℓ holders, and the verification base v with one verification
/// key vᵢ = v^(Δ·sᵢ) per holder. Verifies partial decryptions and combines t of them.
public struct ThresholdPublicKey: Sendable, Hashable {
    public let paillier: PaillierPublicKey
    public let threshold: Int
    public let shareCount: Int
    public let verificationBase: BigInt
    /// verificationKeys[i − 1] belongs to holder i.
    public let verificationKeys: [BigInt]
    /// Δ = ℓ!.
    public let delta: BigInt

    public init(paillier: PaillierPublicKey, threshold: Int, shareCount: Int,
                verificationBase: BigInt, verificationKeys: [BigInt]) throws {
        guard shareCount >= 1, shareCount < 1000, threshold >= 1, threshold <= shareCount else {
            throw PaillierError.invalidKey("threshold \(threshold) of \(shareCount) shares is impossible")
        }
        guard verificationKeys.count == shareCount else {
            throw PaillierError.invalidKey("\(verificationKeys.count) verification keys for \(shareCount) holders")
        }
        for (i, key) in ([verificationBase] + verificationKeys).enumerated() {
            guard key.signum > 0, key < paillier.nSquared, BigInt.gcd(key, paillier.n) == 1 else {
                throw PaillierError.invalidKey(i == 0 ? "verification base is not a unit mod n²"
                                                      : "verification key of holder \(i) is not a unit mod n²")
            }
        }
        self.paillier = paillier
        self.threshold = threshold
        self.shareCount = shareCount
        self.verificationBase = verificationBase
        self.verificationKeys = verificationKeys
        delta = BigInt.factorial(shareCount)
    }

    public var id: KeyID { paillier.id }

    /// Checks a partial decryption of `ciphertext`: the right key, a known holder, and a
    /// valid proof that it used that holder's share. Names the holder on failure.
    @discardableResult
    public func verify(_ partial: PartialDecryption, of ciphertext: Ciphertext) throws -> VerifiedPartialDecryption {
        guard partial.keyID == id else { throw PaillierError.keyMismatch(expected: id, found: partial.keyID) }
        guard ciphertext.keyID == id else { throw PaillierError.keyMismatch(expected: id, found: ciphertext.keyID) }
        guard (1...shareCount).contains(partial.index) else { throw PaillierError.unknownShareHolder(index: partial.index) }
        let n2 = paillier.nSquared
        guard partial.value.signum > 0, partial.value < n2, BigInt.gcd(partial.value, paillier.n) == 1 else {
            throw PaillierError.invalidProof(shareHolder: partial.index)
        }
        let statement = EqualityOfLogs.Statement(
            modulus: n2,
            g1: ciphertext.value.power(BigInt(4), modulus: n2),
            h1: partial.value.power(BigInt(2), modulus: n2),
            g2: verificationBase,
            h2: verificationKeys[partial.index - 1],
            context: EqualityOfLogs.context(keyID: id, holder: partial.index))
        guard EqualityOfLogs.verify(partial.proof, for: statement) else {
            throw PaillierError.invalidProof(shareHolder: partial.index)
        }
        return VerifiedPartialDecryption(index: partial.index, keyID: id, value: partial.value, ciphertext: ciphertext)
    }

    /// Combines partial decryptions of `ciphertext` into the plaintext. Every given partial is
    /// verified (an invalid one is reported by holder); at least `threshold` distinct valid
    /// ones are required, and the first `threshold` by holder index are used.
    ///
    /// With S the chosen holders and λᵢ = Δ·∏_{j∈S∖{i}} j/(j − i) (an integer, since Δ = ℓ!),
    /// ∏ cᵢ^(2λᵢ) = c^(4Δ²d) = (1 + n)^(4Δ²·M) because d ≡ 0 (mod m) removes the randomness,
    /// so M = L(∏ cᵢ^(2λᵢ) mod n²) · (4Δ²)⁻¹ mod n (Damgård–Jurik 2001, §4.1, "Share combining").
    public func combine(_ partials: [PartialDecryption], of ciphertext: Ciphertext) throws -> BigInt {
        var seen = Set<Int>()
        var verified: [VerifiedPartialDecryption] = []
        for partial in partials {
            guard seen.insert(partial.index).inserted else { throw PaillierError.duplicateShare(index: partial.index) }
            verified.append(try verify(partial, of: ciphertext))
        }
        return try combine(verified, of: ciphertext)
    }

    /// Combines partial decryptions that `verify` already accepted (the type is the evidence).
    public func combine(_ verified: [VerifiedPartialDecryption], of ciphertext: Ciphertext) throws -> BigInt {
        var seen = Set<Int>()
        for v in verified {
            guard v.ciphertext == ciphertext, v.keyID == id else { throw PaillierError.invalidProof(shareHolder: v.index) }
            guard seen.insert(v.index).inserted else { throw PaillierError.duplicateShare(index: v.index) }
        }
        guard verified.count >= threshold else {
            throw PaillierError.insufficientShares(have: verified.count, need: threshold)
        }
        let chosen = verified.sorted { $0.index < $1.index }.prefix(threshold)
        let indices = chosen.map(\.index)
        let n = paillier.n, n2 = paillier.nSquared
        var acc = BigInt(1)
        for partial in chosen {
            let lambda = Self.lagrangeAtZero(index: partial.index, among: indices, delta: delta)
            var base = partial.value
            if lambda.isNegative {
                guard let inverse = base.inverse(modulus: n2) else { throw PaillierError.invalidProof(shareHolder: partial.index) }
                base = inverse
            }
            let e = lambda.isNegative ? -lambda : lambda
            acc.formProduct(base.power(e * 2, modulus: n2), modulus: n2)
        }
        let fourDeltaSquared = (delta * delta * 4).modulo(n)
        guard let inverse = fourDeltaSquared.inverse(modulus: n) else {
            throw PaillierError.invalidKey("4Δ² is not invertible modulo n")
        }
        return (PaillierPrivateKey.L(acc, n) * inverse).modulo(n)
    }

    /// Δ·∏_{j∈S∖{i}} j/(j − i), exactly.
    static func lagrangeAtZero(index i: Int, among indices: [Int], delta: BigInt) -> BigInt {
        var numerator = delta
        var denominator = BigInt(1)
        for j in indices where j != i {
            numerator = numerator * j
            denominator = denominator * (j - i)
        }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        precondition(remainder.isZero, "Lagrange coefficient is not integral: Δ too small")
        return quotient
    }
}

/// A partial decryption whose proof `ThresholdPublicKey.verify` accepted for `ciphertext`.
/// Only `verify` creates one, so `combine` over these needs no second check.
public struct VerifiedPartialDecryption: Sendable {
    public let index: Int
    public let keyID: KeyID
    public let value: BigInt
    public let ciphertext: Ciphertext
}
