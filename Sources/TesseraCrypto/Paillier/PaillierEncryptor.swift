import TesseraMath
import TesseraRandom

/// Damgård–Jurik–Nielsen encryption (DJN 2010, §4.2): c = (1 + n)^m · h_n^x mod n² with
/// the key's fixed h_n = (−y²)^n mod n² and a fresh random exponent x, computed with a
/// precomputed fixed-base table (`FixedBaseTable`) instead of a full exponentiation r^n.
///
/// The result is an ordinary Paillier ciphertext: with r = h^x mod n, r^n ≡ h_n^x (mod n²),
/// so any Paillier implementation decrypts it (protocol/vectors/paillier.json has such cases).
///
/// Exponent length:
/// - `.full` (default): x uniform in [0, n). The order of h_n divides 2p′q′ < n/2, so x mod
///   ord(h_n) is within statistical distance about 2^(−|n|/2) of uniform, and the ciphertext
///   is distributed as E(m) with r uniform in the subgroup ⟨h⟩. Semantic security reduces to
///   the decisional composite residuosity assumption exactly as for textbook Paillier.
/// - `.short(bits:)`: x uniform in [0, 2^bits), as DJN propose with bits ≈ |n|/2. Faster by
///   the ratio of lengths, but secure only under the additional assumption that h_n^x with a
///   short x is indistinguishable from a random n-th residue (DJN 2010, §4.2, "small
///   exponent" assumption). Off unless asked for.
public struct PaillierEncryptor: Sendable {
    public enum ExponentLength: Sendable, Hashable {
        case full
        case short(bits: Int)
    }

    public let publicKey: PaillierPublicKey
    public let exponentLength: ExponentLength
    let table: FixedBaseTable

    public init(publicKey: PaillierPublicKey, exponentLength: ExponentLength = .full,
                windowBits: Int = 8, lookup: FixedBaseTable.Lookup = .direct) {
        self.publicKey = publicKey
        self.exponentLength = exponentLength
        let bits: Int
        switch exponentLength {
        case .full: bits = publicKey.n.bitWidth
        case .short(let b): precondition(b >= 128, "short exponents of at least 128 bits"); bits = b
        }
        table = FixedBaseTable(base: publicKey.hN, modulus: publicKey.nSquared,
                               exponentBits: bits, windowBits: windowBits, lookup: lookup)
    }

    /// Memory held by the precomputed table.
    public var tableBytes: Int { table.memoryBytes }

    func randomExponent<R: RandomSource>(using rng: inout R) -> BigInt {
        switch exponentLength {
        case .full: return BigInt.random(below: publicKey.n, using: &rng)
        case .short(let bits): return BigInt.random(bits: bits, using: &rng)
        }
    }

    /// Encrypts 0 ≤ m < n.
    public func encrypt<R: RandomSource>(_ m: BigInt, using rng: inout R) throws -> Ciphertext {
        try publicKey.checkPlaintext(m)
        let x = randomExponent(using: &rng)
        var c = publicKey.plaintextPart(m)
        c.formProduct(table.power(x), modulus: publicKey.nSquared)
        return Ciphertext(value: c, keyID: publicKey.id)
    }

    /// Encrypts and also returns the equivalent textbook randomness r = h^x mod n, so that
    /// c = (1 + n)^m · r^n mod n² can be checked by an independent implementation.
    public func encryptRevealingRandomness<R: RandomSource>(_ m: BigInt, using rng: inout R) throws
        -> (ciphertext: Ciphertext, r: BigInt) {
        try publicKey.checkPlaintext(m)
        let x = randomExponent(using: &rng)
        var c = publicKey.plaintextPart(m)
        c.formProduct(table.power(x), modulus: publicKey.nSquared)
        let r = publicKey.h.power(x, modulus: publicKey.n)
        return (Ciphertext(value: c, keyID: publicKey.id), r)
    }
}
