/// The negacyclic number-theoretic transform of size n over Z_p, p = 2^64 − 2^32 + 1:
/// evaluation of a ∈ Z_p[X]/(X^n + 1) at the n primitive 2n-th roots of unity ψ^(2i+1),
/// so that a product in the ring becomes a pointwise product.
///
/// Layout of Longa–Naehrig, "Speeding up the Number Theoretic Transform for Faster Ideal
/// Lattice-Based Cryptography" (CANS 2016), Algorithms 1 (NTT) and 2 (INTT), which merge the
/// ψ-twist into the butterflies (Pöppelmann–Oder–Güneysu, LATINCRYPT 2015): the forward
/// transform is Cooley–Tukey, natural order in, bit-reversed order out, with twiddles
/// ψ^brv(k); the inverse is Gentleman–Sande, bit-reversed in, natural out, with ψ^(−brv(k)).
/// No bit-reversal permutation is ever applied, because only pointwise products are taken
/// in the transformed domain. Output slot k of `forward` holds a(ψ^(2·brv(k)+1)).
///
/// The tables are computed once per size; `NegacyclicNTT.n2048` is the one in use.
public struct NegacyclicNTT: Sendable {
    public let n: Int
    /// ψ, a primitive 2n-th root of unity: 7^((p−1)/2n).
    public let psi: UInt64
    /// n^(−1) mod p = p − (p−1)/n.
    public let nInverse: UInt64
    /// ψ^brv(k) for k < n (brv on log2 n bits).
    let forwardTwiddles: [UInt64]
    /// ψ^(−brv(k)) for k < n.
    let inverseTwiddles: [UInt64]

    public static let n2048 = NegacyclicNTT(n: 2048)

    /// The shared table for n = 2048, a fresh one otherwise.
    public static func forSize(_ n: Int) -> NegacyclicNTT { n == 2048 ? n2048 : NegacyclicNTT(n: n) }

    public init(n: Int) {
        // 2n must divide 2^32 for ψ to exist.
        precondition(n >= 2 && n & (n - 1) == 0 && n <= 1 << 31, "the NTT size must be a power of two in 2...2^31")
        self.n = n
        let logN = n.trailingZeroBitCount
        psi = Goldilocks.rootOfUnity(order: 2 * n)
        let psiInverse = Goldilocks.inverse(psi)
        nInverse = Goldilocks.modulus - (Goldilocks.modulus - 1) / UInt64(n)
        var powers = [UInt64](repeating: 1, count: n), inversePowers = [UInt64](repeating: 1, count: n)
        for i in 1..<n {
            powers[i] = Goldilocks.multiply(powers[i - 1], psi)
            inversePowers[i] = Goldilocks.multiply(inversePowers[i - 1], psiInverse)
        }
        var f = [UInt64](repeating: 0, count: n), g = [UInt64](repeating: 0, count: n)
        for k in 0..<n {
            let r = Self.bitReverse(k, bits: logN)
            f[k] = powers[r]
            g[k] = inversePowers[r]
        }
        forwardTwiddles = f
        inverseTwiddles = g
    }

    static func bitReverse(_ x: Int, bits: Int) -> Int {
        var r = 0, v = x
        for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
        return r
    }

    /// In place: natural order in, bit-reversed evaluations out (Longa–Naehrig Algorithm 1).
    public func forward(_ a: inout [UInt64]) {
        precondition(a.count == n, "the NTT of size \(n) needs \(n) coefficients")
        a.withUnsafeMutableBufferPointer { forward($0.baseAddress!) }
    }

    /// In place: bit-reversed evaluations in, natural-order coefficients out, including the
    /// factor n^(−1) (Longa–Naehrig Algorithm 2).
    public func inverse(_ a: inout [UInt64]) {
        precondition(a.count == n, "the NTT of size \(n) needs \(n) coefficients")
        a.withUnsafeMutableBufferPointer { p in
            inverseUnscaled(p.baseAddress!)
            for i in 0..<n { p[i] = Goldilocks.multiply(p[i], nInverse) }
        }
    }

    func forward(_ a: UnsafeMutablePointer<UInt64>) {
        forwardTwiddles.withUnsafeBufferPointer { tw in
            var t = n
            var m = 1
            while m < n {
                t >>= 1
                for i in 0..<m {
                    let w = tw[m + i]
                    let lo = a + 2 * i * t, hi = lo + t
                    for j in 0..<t {
                        let u = lo[j], v = Goldilocks.multiply(hi[j], w)
                        lo[j] = Goldilocks.add(u, v)
                        hi[j] = Goldilocks.subtract(u, v)
                    }
                }
                m <<= 1
            }
        }
    }

    /// Algorithm 2 without its final multiplication by n^(−1), which callers fold into a
    /// precomputed operand.
    func inverseUnscaled(_ a: UnsafeMutablePointer<UInt64>) {
        inverseTwiddles.withUnsafeBufferPointer { tw in
            var t = 1
            var m = n
            while m > 1 {
                let h = m >> 1
                for i in 0..<h {
                    let w = tw[h + i]
                    let lo = a + 2 * i * t, hi = lo + t
                    for j in 0..<t {
                        let u = lo[j], v = hi[j]
                        lo[j] = Goldilocks.add(u, v)
                        hi[j] = Goldilocks.multiply(Goldilocks.subtract(u, v), w)
                    }
                }
                t <<= 1
                m = h
            }
        }
    }
}
