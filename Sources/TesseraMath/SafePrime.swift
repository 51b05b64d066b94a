import TesseraRandom

/// Random safe primes p = 2p′ + 1 (p′ prime), the factors of a threshold-Paillier modulus.
///
/// Sieved incremental search: a random odd start q₀ of `bits − 1` bits with its top two bits
/// set, then candidates q = q₀ + 2k for k in a window. Each small odd prime ℓ strikes out
/// the two residue classes of k where ℓ | q or ℓ | 2q + 1 (Wiener 2003, "Safe prime
/// generation with a combined sieve", §3). Survivors get a base-2 Fermat test on p = 2q + 1
/// (cheap rejection), then GMP's Baillie–PSW plus Miller–Rabin rounds on q and on p.
/// With q prime, p passes Pocklington's criterion when 2^(p−1) ≡ 1 and 2² ≢ 1 (mod p),
/// so the Fermat test is also a proof for p given q.
///
/// Randomness comes from `rng` (libsodium), so a seeded DRBG reproduces a key ceremony.
/// The top two bits set make the product of two such primes exactly 2·bits bits long.
public enum SafePrime {
    static let sieveWindow = 1 << 14
    static let smallPrimes: [Int] = {
        let limit = 1 << 15
        var composite = [Bool](repeating: false, count: limit)
        var primes: [Int] = []
        for i in 2..<limit where !composite[i] {
            primes.append(i)
            var j = i * i
            while j < limit { composite[j] = true; j += i }
        }
        return primes.filter { $0 > 2 }
    }()

    /// A random safe prime of exactly `bits` bits (bits ≥ 16).
    public static func random<R: RandomSource>(bits: Int, using rng: inout R) -> BigInt {
        precondition(bits >= 16, "safe primes of at least 16 bits")
        while true {
            if let p = searchWindow(bits: bits, using: &rng) { return p }
        }
    }

    private static func searchWindow<R: RandomSource>(bits: Int, using rng: inout R) -> BigInt? {
        // q₀: bits − 1 bits, top two bits set, odd.
        var q0 = BigInt.random(bits: bits - 3, using: &rng) + (BigInt(3) << (bits - 3))
        if !q0.isOdd { q0 = q0 + 1 }
        var struck = [Bool](repeating: false, count: sieveWindow)
        for l in smallPrimes {
            if l >= sieveWindow * 4 { break }
            let r = Int(q0.modulo(UInt(l)))
            let inverseOf2 = (l + 1) / 2
            // q₀ + 2k ≡ 0 (mod ℓ)  ⇔  k ≡ −r · 2⁻¹
            let k1 = ((l - r) % l) * inverseOf2 % l
            // 2q + 1 ≡ 0 ⇔ q ≡ (ℓ − 1)/2  ⇔  k ≡ ((ℓ−1)/2 − r) · 2⁻¹
            let k2 = (((l - 1) / 2 - r) % l + l) % l * inverseOf2 % l
            for start in [k1, k2] {
                var k = start
                while k < sieveWindow { struck[k] = true; k += l }
            }
        }
        let two = BigInt(2)
        for k in 0..<sieveWindow where !struck[k] {
            let q = q0 + BigInt(2 * k)
            guard q.bitWidth == bits - 1 else { return nil }
            let p = q * 2 + 1
            guard two.power(p - 1, modulus: p) == BigInt(1) else { continue }
            guard q.isProbablePrime(rounds: 40), p.isProbablePrime(rounds: 40) else { continue }
            return p
        }
        return nil
    }

    /// Whether p is a safe prime by GMP's test on p and (p − 1)/2.
    public static func isSafePrime(_ p: BigInt) -> Bool {
        guard p > BigInt(5), p.isOdd else { return false }
        return p.isProbablePrime() && ((p - 1) >> 1).isProbablePrime()
    }
}
