import TesseraMath
import TesseraRandom

/// Exact Poisson and Skellam samplers over the integers.
///
/// Poisson(1) by rejection from a geometric proposal: K ~ Geometric(1/2) on {0, 1, …}
/// (P[K = k] = 2^−(k+1)), accepted with probability 2^(k−1)/k!, which is
/// (e^−1/k!) / (4/e · 2^−(k+1)): the target over 4/e times the proposal (von Neumann's
/// rejection method; the bound 4/e is attained at k = 1, 2). Every step is a fair coin or a
/// rational Bernoulli, so the output is exactly Poisson(1).
/// Poisson(μ) for rational μ: the sum of ⌈μ⌉ Poisson(1) draws, each point kept with
/// probability μ/⌈μ⌉ (thinning of a Poisson process). Cost O(μ): meant for means up to ~10⁶.
/// Skellam (Agarwal, Kairouz and Liu 2021, "The Skellam mechanism for differentially private
/// federated learning", NeurIPS 2021, §3): the difference of two independent Poisson(μ).
public enum ExactPoisson {
    public static func poissonOne<R: RandomSource>(using rng: inout R) -> Int {
        while true {
            var k = 0
            while rng.bit() { k += 1 }
            // Accept with probability 2^(k−1)/k!.
            if k <= 2 { if k > 0 || rng.bit() { return k }; continue }
            let numerator = BigInt(1) << (k - 1)
            let denominator = BigInt.factorial(k)
            if BigInt.random(below: denominator, using: &rng) < numerator { return k }
        }
    }

    public static func poisson<R: RandomSource>(mean: ExactRational, using rng: inout R) -> Int {
        if mean.isZero { return 0 }
        let ceiling = (mean.numerator + mean.denominator - 1) / mean.denominator
        var points = 0
        for _ in 0..<ceiling { points += poissonOne(using: &rng) }
        let keep = ExactRational(mean.numerator, mean.denominator * ceiling)
        if keep.numerator == keep.denominator { return points }
        var kept = 0
        for _ in 0..<points where CKS20.bernoulli(keep, using: &rng) { kept += 1 }
        return kept
    }

    /// Skellam with each Poisson of mean μ: variance 2μ.
    public static func skellam<R: RandomSource>(mean: ExactRational, using rng: inout R) -> Int {
        poisson(mean: mean, using: &rng) - poisson(mean: mean, using: &rng)
    }
}
