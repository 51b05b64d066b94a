import TesseraRandom

/// Exact samplers over the integers from Canonne, Kamath and Steinke 2020, "The Discrete
/// Gaussian for Differential Privacy" (NeurIPS 2020; arXiv:2004.00010), §5: every decision
/// is a comparison of uniform integers, so the output distribution is exactly the stated one
/// (no floating point anywhere; see Mironov 2012 for what floating-point samplers leak).
public enum CKS20 {
    /// Uniform in [0, bound) by rejection on 128-bit draws.
    static func uniform<R: RandomSource>(below bound: Int128, using rng: inout R) -> Int128 {
        precondition(bound > 0)
        if bound <= Int128(UInt64.max) { return Int128(rng.uniform(below: UInt64(bound))) }
        let ubound = UInt128(bound)
        let rejectBelow = (0 &- ubound) % ubound
        while true {
            let x = UInt128(rng.nextUInt64()) << 64 | UInt128(rng.nextUInt64())
            if x >= rejectBelow { return Int128(x % ubound) }
        }
    }

    /// Bernoulli(p) for rational p ∈ [0, 1].
    public static func bernoulli<R: RandomSource>(_ p: ExactRational, using rng: inout R) -> Bool {
        uniform(below: p.denominator, using: &rng) < p.numerator
    }

    /// Bernoulli(exp(−γ)) for rational γ ≥ 0: Algorithm 1. For γ ∈ [0, 1]: K ← 1; while
    /// Bernoulli(γ/K) succeeds, K ← K + 1; accept iff K is odd. For γ > 1: ⌊γ⌋ independent
    /// Bernoulli(exp(−1)) and one Bernoulli(exp(−(γ − ⌊γ⌋))) must all succeed.
    public static func bernoulliExp<R: RandomSource>(_ gamma: ExactRational, using rng: inout R) -> Bool {
        if gamma.numerator <= gamma.denominator {
            var k: Int128 = 1
            while bernoulli(ExactRational(gamma.numerator, gamma.denominator * k), using: &rng) { k += 1 }
            return k % 2 == 1
        }
        for _ in 0..<gamma.floor where !bernoulliExp(ExactRational(1), using: &rng) { return false }
        return bernoulliExp(ExactRational(gamma.numerator % gamma.denominator, gamma.denominator), using: &rng)
    }

    /// Discrete Laplace with scale t/s (P[X = x] ∝ exp(−|x|·s/t)): Algorithm 2.
    public static func discreteLaplace<R: RandomSource>(s: Int128, t: Int128, using rng: inout R) -> Int128 {
        precondition(s > 0 && t > 0)
        while true {
            let u = uniform(below: t, using: &rng)
            guard bernoulliExp(ExactRational(u, t), using: &rng) else { continue }
            var v: Int128 = 0
            while bernoulliExp(ExactRational(1), using: &rng) { v += 1 }
            let y = (u + t * v) / s
            let negative = rng.bit()
            if negative && y == 0 { continue }
            return negative ? -y : y
        }
    }

    /// Discrete Gaussian N_Z(0, σ²) for rational σ² > 0: Algorithm 3. With t = ⌊σ⌋ + 1,
    /// propose Y ~ DLap(t) and accept with probability exp(−(|Y| − σ²/t)²/(2σ²)); the exponent
    /// is the rational (|Y|·q·t − p)² / (2·p·q·t²) for σ² = p/q.
    public static func discreteGaussian<R: RandomSource>(sigmaSquared: ExactRational, using rng: inout R) -> Int128 {
        if sigmaSquared.isZero { return 0 }
        let t = sigmaSquared.floorSquareRoot + 1
        let (p, q) = (sigmaSquared.numerator, sigmaSquared.denominator)
        while true {
            let y = discreteLaplace(s: 1, t: t, using: &rng)
            let d = y.magnitude * UInt128(q) * UInt128(t)
            let diff = d >= UInt128(p) ? d - UInt128(p) : UInt128(p) - d
            let gamma = ExactRational(Int128(diff * diff), 2 * p * q * t * t)
            if bernoulliExp(gamma, using: &rng) { return y }
        }
    }
}
