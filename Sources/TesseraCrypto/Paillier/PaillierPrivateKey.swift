import TesseraMath
import TesseraRandom

/// The private half of a Paillier key: the factorisation n = p·q. Only holders of this type
/// (or of a threshold `KeyShare`) can decrypt.
///
/// Decryption by the Chinese remainder theorem (Paillier 1999, §7, "Decryption using
/// Chinese-remaindering"): m_p = L_p(c^(p−1) mod p²) · h_p mod p with L_p(u) = (u − 1)/p and
/// h_p = L_p(g^(p−1) mod p²)⁻¹ mod p; the same modulo q; then m = CRT(m_p, m_q). Two
/// exponentiations with |p|-bit exponents modulo |p²|-bit numbers instead of one |n|-bit
/// exponent modulo n²: about four times less work. With g = n + 1, L_p(g^(p−1) mod p²) =
/// (p − 1)·q ≡ −q (mod p), so h_p = (−q)⁻¹ mod p. The exponents p − 1 and q − 1 are secret,
/// so both exponentiations use `mpz_powm_sec`.
///
/// Cost (2048-bit n, measured once with a C harness and perf, not committed): the two exponentiations are 99.85 % of a decryption (the
/// reductions, L, h_p, h_q and Garner take about 5 µs of 3.2 ms). Inside `mpn_sec_powm` the
/// time goes to REDC (58 %), basecase squaring (25 %) and multiplication (9 %), the masked
/// table scan (4 %) and the conditional subtraction (1 %); calling `mpn_sec_powm` with
/// per-key scratch, or a hand-written fixed-window ladder on GMP's primitives, was not faster
/// (within ±3 %). Ciphertexts are validated once, when built (`PaillierPublicKey.ciphertext`).
public struct PaillierPrivateKey: Sendable {
    public let publicKey: PaillierPublicKey
    let p: BigInt
    let q: BigInt
    let pSquared: BigInt
    let qSquared: BigInt
    let pMinusOne: BigInt
    let qMinusOne: BigInt
    let hp: BigInt
    let hq: BigInt
    let qInverseModP: BigInt

    /// Builds a key from its primes and DJN base, refusing inconsistent material by name.
    public init(p: BigInt, q: BigInt, h: BigInt) throws {
        guard p != q else { throw PaillierError.invalidKey("p = q") }
        guard p.bitWidth == q.bitWidth else {
            throw PaillierError.keySizeMismatch("p has \(p.bitWidth) bits and q has \(q.bitWidth); they must be equal")
        }
        guard p.isProbablePrime(rounds: 30) else { throw PaillierError.invalidKey("p is not prime") }
        guard q.isProbablePrime(rounds: 30) else { throw PaillierError.invalidKey("q is not prime") }
        let n = p * q
        guard BigInt.gcd(n, (p - 1) * (q - 1)) == 1 else { throw PaillierError.invalidKey("gcd(n, φ(n)) ≠ 1") }
        publicKey = try PaillierPublicKey(n: n, h: h)
        self.p = p
        self.q = q
        pSquared = p * p
        qSquared = q * q
        pMinusOne = p - 1
        qMinusOne = q - 1
        guard let hp = (-q).modulo(p).inverse(modulus: p), let hq = (-p).modulo(q).inverse(modulus: q),
              let qInv = q.inverse(modulus: p) else {
            throw PaillierError.invalidKey("p and q are not coprime")
        }
        self.hp = hp
        self.hq = hq
        qInverseModP = qInv
    }

    /// Decrypts a ciphertext under this key. (A `Ciphertext` is valid by construction: it
    /// only comes from encryption, homomorphic operations, or `PaillierPublicKey.ciphertext`.)
    public func decrypt(_ c: Ciphertext) throws -> BigInt {
        try crtDecrypt(c) { base, exponent, modulus in base.powerSecret(exponent, modulus: modulus) }
    }

    /// The same CRT decryption with variable-time `mpz_powm`. Not for use: it exists so that
    /// the benchmark can show what constant-time exponentiation costs.
    @_spi(Benchmark)
    public func decryptVariableTimeForBenchmark(_ c: Ciphertext) throws -> BigInt {
        try crtDecrypt(c) { base, exponent, modulus in base.power(exponent, modulus: modulus) }
    }

    private func crtDecrypt(_ c: Ciphertext, _ power: (BigInt, BigInt, BigInt) -> BigInt) throws -> BigInt {
        try publicKey.checkKey(c)
        let mp = Self.L(power(c.value.modulo(pSquared), pMinusOne, pSquared), p) * hp
        let mq = Self.L(power(c.value.modulo(qSquared), qMinusOne, qSquared), q) * hq
        // Garner: m = m_q + q·((m_p − m_q)·q⁻¹ mod p).
        let mqReduced = mq.modulo(q)
        return mqReduced + q * ((mp - mqReduced) * qInverseModP).modulo(p)
    }

    static func L(_ u: BigInt, _ d: BigInt) -> BigInt { (u - 1).dividedExactly(by: d) }

    /// λ = lcm(p − 1, q − 1) and μ = λ⁻¹ mod n: the textbook (non-CRT) decryption key, used
    /// only by the benchmark's naive reference.
    public var textbookLambdaMu: (lambda: BigInt, mu: BigInt) {
        let lambda = BigInt.lcm(p - 1, q - 1)
        return (lambda, lambda.inverse(modulus: publicKey.n)!)
    }

    /// The primes, for writing key files and test vectors.
    public var primes: (p: BigInt, q: BigInt) { (p, q) }
}

/// Paillier key generation with safe primes (so that the same modulus can be dealt into
/// threshold shares, which need n = (2p′+1)(2q′+1)).
public enum PaillierKeyGeneration {
    /// A fresh key with an exactly `bits`-bit modulus from two safe primes of bits/2 bits,
    /// and the DJN base h = −y² mod n for a random unit y.
    public static func generate<R: RandomSource>(bits: Int, using rng: inout R) throws -> PaillierPrivateKey {
        guard bits % 2 == 0, bits >= PaillierPublicKey.minimumBits else {
            throw PaillierError.keySizeMismatch("modulus size \(bits) must be even and at least \(PaillierPublicKey.minimumBits)")
        }
        while true {
            let p = SafePrime.random(bits: bits / 2, using: &rng)
            let q = SafePrime.random(bits: bits / 2, using: &rng)
            guard p != q, (p * q).bitWidth == bits else { continue }
            let h = djnBase(n: p * q, using: &rng)
            return try PaillierPrivateKey(p: p, q: q, h: h)
        }
    }

    /// h = −y² mod n for a random y ∈ Z*_n (DJN 2010, §4.2).
    public static func djnBase<R: RandomSource>(n: BigInt, using rng: inout R) -> BigInt {
        let y = BigInt.randomUnit(modulus: n, using: &rng)
        return (n - (y * y).modulo(n)).modulo(n)
    }
}
