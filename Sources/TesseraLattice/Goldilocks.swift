/// Arithmetic modulo the prime p = 2^64 − 2^32 + 1 (the "Goldilocks" prime of Plonky2;
/// a generalised Mersenne prime in Solinas's sense, 1999).
///
/// It is the modulus of the NTT because p − 1 = 2^32·3·5·17·257·65537 gives roots of unity
/// of every power-of-two order up to 2^32, and because 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p)
/// reduce a 128-bit product with shifts and two additions, no division (Solinas,
/// "Generalized Mersenne Numbers", 1999: p = f(2^32) with f(t) = t^2 − t + 1).
///
/// Every function takes and returns canonical residues in [0, p).
public enum Goldilocks {
    /// p = 2^64 − 2^32 + 1.
    public static let modulus: UInt64 = 0xFFFF_FFFF_0000_0001
    /// A generator of the multiplicative group (checked in the tests against every prime
    /// factor of p − 1).
    public static let generator: UInt64 = 7
    /// 2^64 mod p = 2^32 − 1.
    @usableFromInline static let epsilon: UInt64 = 0xFFFF_FFFF

    @inline(__always)
    public static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a &+ b
        // A carry drops 2^64 ≡ ε; adding it back cannot overflow since a + b < 2p.
        let r = s < a ? s &+ epsilon : s
        return r >= modulus ? r &- modulus : r
    }

    @inline(__always)
    public static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let d = a &- b
        // A borrow added 2^64 ≡ ε; d ≥ 2^32 then, so removing ε stays in [0, p).
        return a < b ? d &- epsilon : d
    }

    @inline(__always)
    public static func negate(_ a: UInt64) -> UInt64 { a == 0 ? 0 : modulus &- a }

    @inline(__always)
    public static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return reduce(high: hi, low: lo)
    }

    /// hi·2^64 + lo mod p, for any 128-bit value: with hi = h1·2^32 + h0,
    /// x ≡ lo − h1 + h0·(2^32 − 1) because 2^96 ≡ −1 and 2^64 ≡ 2^32 − 1.
    @inline(__always)
    public static func reduce(high hi: UInt64, low lo: UInt64) -> UInt64 {
        let h1 = hi >> 32
        let h0 = hi & epsilon
        var t0 = lo &- h1
        if lo < h1 { t0 = t0 &- epsilon }  // t0 ≥ 2^64 − 2^32 here, no underflow
        let t1 = h0 &* epsilon             // < 2^64: both factors are below 2^32
        var t2 = t0 &+ t1
        if t2 < t1 { t2 = t2 &+ epsilon }  // t2 < t1 ≤ 2^64 − 2^33 + 1 here, no overflow
        return t2 >= modulus ? t2 &- modulus : t2
    }

    public static func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result: UInt64 = 1, b = base % modulus, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = multiply(result, b) }
            b = multiply(b, b)
            e >>= 1
        }
        return result
    }

    /// a^(p−2) = a^(−1) for a ≠ 0 (Fermat).
    public static func inverse(_ a: UInt64) -> UInt64 {
        precondition(a % modulus != 0, "zero has no inverse")
        return power(a, modulus - 2)
    }

    /// The residue of a signed integer.
    @inline(__always)
    public static func residue(_ v: Int64) -> UInt64 {
        v >= 0 ? UInt64(v) % modulus : negate(UInt64(v.magnitude) % modulus)
    }

    /// The unique integer in [−(p−1)/2, (p−1)/2] congruent to `r`, as its 64-bit two's
    /// complement pattern (so the caller can keep working mod 2^64).
    @inline(__always)
    public static func signedLift(_ r: UInt64) -> UInt64 {
        r > (modulus - 1) / 2 ? r &- modulus : r
    }

    /// g^((p−1)/order): a primitive root of unity of the given power-of-two order ≤ 2^32.
    public static func rootOfUnity(order: Int) -> UInt64 {
        precondition(order > 0 && order & (order - 1) == 0 && order <= 1 << 32,
                     "the order must be a power of two at most 2^32")
        return power(generator, (modulus - 1) / UInt64(order))
    }
}
