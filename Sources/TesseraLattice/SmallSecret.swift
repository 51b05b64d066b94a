/// A polynomial s ∈ Z[X]/(X^n + 1) with |s_i| ≤ `bound`, held with its NTT so that the exact
/// product a·s in R = Z_{2^64}[X]/(X^n + 1) costs four transforms for any a.
///
/// Why exact: R has no NTT (2^64 is not prime), so a is split into 32-bit halves,
/// a = a_lo + 2^32·a_hi, and each half's product with s is computed over the integers
/// through the NTT mod p = 2^64 − 2^32 + 1. Every coefficient of a_lo ⊛ s (and a_hi ⊛ s) is
/// a sum of n terms of size at most (2^32 − 1)·bound, so with n·bound ≤ 2^31 it lies in
/// [−(p−1)/2, (p−1)/2] because (p−1)/2 = 2^31·(2^32 − 1): the centred lift mod p is the
/// integer itself. Then a·s = (a_lo ⊛ s) + 2^32·(a_hi ⊛ s) mod 2^64.
///
/// The participant's s_i has bound η = 4; the coordinator's S = Σ s_i has bound η·P, at
/// most 16,380 for P = 4,095, far inside the n = 2048 limit of 2^20.
public struct SmallSecret: Sendable {
    public let coefficients: [Int64]
    public let bound: Int64
    let ntt: NegacyclicNTT
    /// NTT(s)·n^(−1): the inverse transform's scaling is folded in here, once per secret.
    let transformed: [UInt64]

    public var n: Int { ntt.n }

    /// The largest bound for which the product is exact: 2^31/n (2^20 for n = 2048).
    public static func maximumBound(n: Int) -> Int64 { Int64(1 << 31) / Int64(n) }

    public init(coefficients: [Int64], bound: Int64) throws {
        let n = coefficients.count
        guard n >= 2, n & (n - 1) == 0, n <= 1 << 31 else {
            throw LatticeError.invalidParameters("a secret has a power-of-two number of coefficients in 2...2^31, not \(n)")
        }
        let limit = Self.maximumBound(n: n)
        guard bound >= 0, bound <= limit else { throw LatticeError.secretBoundTooLarge(bound: bound, limit: limit, n: n) }
        for (i, c) in coefficients.enumerated() where c < -bound || c > bound {
            throw LatticeError.coefficientOutOfBound(index: i, value: c, bound: bound)
        }
        let ntt = NegacyclicNTT.forSize(n)
        var t = coefficients.map { Goldilocks.multiply(Goldilocks.residue($0), ntt.nInverse) }
        ntt.forward(&t)
        self.coefficients = coefficients
        self.bound = bound
        self.ntt = ntt
        self.transformed = t
    }

    /// a·s in Z_{2^64}[X]/(X^n + 1), exactly, for any a (wrapping 64-bit coefficients).
    public func multiply(_ a: [UInt64]) -> [UInt64] {
        precondition(a.count == n, "a has \(a.count) coefficients, the secret \(n)")
        var out = [UInt64](repeating: 0, count: n)
        a.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in multiply(src.baseAddress!, into: dst.baseAddress!) }
        }
        return out
    }

    func multiply(_ a: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<UInt64>) {
        let lo = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let hi = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { lo.deallocate(); hi.deallocate() }
        // Both halves are below 2^32 < p: already canonical residues.
        for i in 0..<n {
            lo[i] = a[i] & 0xFFFF_FFFF
            hi[i] = a[i] >> 32
        }
        ntt.forward(lo)
        ntt.forward(hi)
        transformed.withUnsafeBufferPointer { s in
            for i in 0..<n {
                lo[i] = Goldilocks.multiply(lo[i], s[i])
                hi[i] = Goldilocks.multiply(hi[i], s[i])
            }
        }
        ntt.inverseUnscaled(lo)
        ntt.inverseUnscaled(hi)
        for i in 0..<n {
            out[i] = Goldilocks.signedLift(lo[i]) &+ (Goldilocks.signedLift(hi[i]) &<< 32)
        }
    }
}
