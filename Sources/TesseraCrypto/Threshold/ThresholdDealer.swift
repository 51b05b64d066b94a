import TesseraMath
import TesseraRandom

/// Trusted-dealer threshold Paillier (Damgård–Jurik 2001, "A generalisation, a simplification
/// and some applications of Paillier's probabilistic public-key system", §4.1 with s = 1;
/// after Shoup 2000, "Practical threshold signatures", §2–3; also Fouque–Poupard–Stern 2000).
///
/// With safe primes p = 2p′ + 1, q = 2q′ + 1, n = pq and m = p′q′, the dealer picks
/// d ≡ 0 (mod m), d ≡ 1 (mod n), and a random polynomial f of degree t − 1 over Z_{nm} with
/// f(0) = d. Holder i ∈ {1, …, ℓ} gets sᵢ = f(i) mod nm. A random square v generates the
/// squares of Z*_{n²} (with overwhelming probability), and vᵢ = v^(Δ·sᵢ) with Δ = ℓ! is
/// holder i's public verification key. The dealer then forgets p, q and d.
public enum ThresholdDealer {
    public static func deal<R: RandomSource>(bits: Int, threshold: Int, shareCount: Int,
                                             using rng: inout R) throws -> (ThresholdPublicKey, [KeyShare]) {
        let key = try PaillierKeyGeneration.generate(bits: bits, using: &rng)
        return try deal(key: key, threshold: threshold, shareCount: shareCount, using: &rng)
    }

    /// Deals shares of an existing key whose primes are safe primes.
    public static func deal<R: RandomSource>(key: PaillierPrivateKey, threshold t: Int, shareCount l: Int,
                                             using rng: inout R) throws -> (ThresholdPublicKey, [KeyShare]) {
        guard l >= 1, t >= 1, t <= l else {
            throw PaillierError.invalidKey("threshold \(t) of \(l) shares is impossible")
        }
        guard l < 1000 else { throw PaillierError.invalidKey("at most 999 share holders") }
        let (p, q) = key.primes
        guard SafePrime.isSafePrime(p), SafePrime.isSafePrime(q) else {
            throw PaillierError.invalidKey("threshold Paillier needs safe primes")
        }
        let n = key.publicKey.n
        let m = ((p - 1) >> 1) * ((q - 1) >> 1)
        let nm = n * m
        guard let mInverse = m.inverse(modulus: n) else { throw PaillierError.invalidKey("gcd(n, m) ≠ 1") }
        let d = m * mInverse  // ≡ 0 mod m, ≡ 1 mod n
        var coefficients = [d]
        for _ in 1..<max(t, 1) { coefficients.append(BigInt.random(below: nm, using: &rng)) }
        let delta = BigInt.factorial(l)
        let nSquared = key.publicKey.nSquared
        let r = BigInt.randomUnit(modulus: nSquared, using: &rng)
        let v = (r * r).modulo(nSquared)
        var shares: [KeyShare] = []
        var verificationKeys: [BigInt] = []
        for i in 1...l {
            // Horner's rule for f(i) mod nm.
            var s = BigInt(0)
            for a in coefficients.reversed() { s = (s * i + a).modulo(nm) }
            verificationKeys.append(v.powerSecret(delta * s, modulus: nSquared))
            shares.append(KeyShare(uncheckedIndex: i, secret: s))
        }
        let publicKey = try ThresholdPublicKey(paillier: key.publicKey, threshold: t, shareCount: l,
                                               verificationBase: v, verificationKeys: verificationKeys)
        return (publicKey, shares.map { KeyShare(uncheckedIndex: $0.index, secret: $0.secret, publicKey: publicKey) })
    }
}
