import Foundation

/// A Rényi-DP curve ε(α) (Mironov 2017, "Rényi differential privacy", Definition 3) on a grid
/// of orders α > 1. Composition adds curves (Mironov 2017, Proposition 1); conversion to
/// (ε, δ) takes the best order. Floating point is right here: this is accounting of public
/// parameters, not sampling.
public struct RDPCurve: Sendable, Equatable {
    /// Orders: 1.1 to 10.9 in steps of 0.1, the integers 11 to 63, then 128, 256, 512, 1024
    /// (the default grid of Google's dp-accounting RdpAccountant).
    public static let orders: [Double] = {
        var grid: [Double] = []
        for x in 1..<100 { grid.append(1 + Double(x) / 10) }
        for a in 11...63 { grid.append(Double(a)) }
        grid.append(contentsOf: [128, 256, 512, 1024])
        return grid
    }()
    public let epsilons: [Double]

    public init(_ epsilon: (Double) -> Double) { epsilons = Self.orders.map(epsilon) }
    init(epsilons: [Double]) { self.epsilons = epsilons }

    public static let zero = RDPCurve { _ in 0 }

    /// Sequential composition: RDP adds order by order.
    public static func + (a: RDPCurve, b: RDPCurve) -> RDPCurve { RDPCurve(epsilons: zip(a.epsilons, b.epsilons).map(+)) }

    /// T-fold composition.
    public func composed(_ times: Int) -> RDPCurve { RDPCurve(epsilons: epsilons.map { $0 * Double(times) }) }

    /// (ε, δ)-DP by the conversion of Canonne, Kamath and Steinke 2020 (Proposition 12, as in
    /// dp-accounting): ε = ε(α) + log((α − 1)/α) − (log δ + log α)/(α − 1), minimised over α.
    public func epsilon(delta: Double) -> (epsilon: Double, order: Double) {
        precondition(delta > 0 && delta < 1)
        var best = (Double.infinity, Self.orders[0])
        for (alpha, rdp) in zip(Self.orders, epsilons) where rdp.isFinite {
            let eps = rdp + log1p(-1 / alpha) - (log(delta) + log(alpha)) / (alpha - 1)
            if eps < best.0 { best = (max(eps, 0), alpha) }
        }
        return best
    }
}

/// RDP of the mechanisms Tessera uses, per release.
public enum Mechanisms {
    /// Gaussian with noise multiplier σ (noise std / L2 sensitivity): α/(2σ²)
    /// (Mironov 2017, Proposition 7).
    public static func gaussian(noiseMultiplier sigma: Double) -> RDPCurve {
        RDPCurve { $0 / (2 * sigma * sigma) }
    }

    /// The sum of n independent discrete Gaussians N_Z(0, σ²)^d added to a sum of vectors with
    /// L2 sensitivity Δ: ½ε²-concentrated DP with
    /// ε = min{ √(Δ²/(nσ²) + ½τd), Δ/(√n·σ) + τ√d }, τ = 10·Σ_{k=1}^{n−1} exp(−2π²σ²·k/(k+1))
    /// (Kairouz, Liu and Steinke 2021, Theorem 1), hence RDP α·ε²/2.
    public static func distributedDiscreteGaussian(participants n: Int, variance sigma2: Double, sensitivity delta2: Double,
                                                   dimension d: Int) -> RDPCurve {
        var tau = 0.0
        for k in 1..<max(n, 1) {
            let exponent: Double = -2 * Double.pi * Double.pi * sigma2 * Double(k) / Double(k + 1)
            tau += 10 * exp(exponent)
        }
        let nd = Double(n), dd = Double(d)
        let first: Double = (delta2 * delta2 / (nd * sigma2) + 0.5 * tau * dd).squareRoot()
        let second: Double = delta2 / (nd.squareRoot() * sigma2.squareRoot()) + tau * dd.squareRoot()
        let eps = min(first, second)
        return RDPCurve { $0 * eps * eps / 2 }
    }

    /// The sum of n participants' Skellam noise, each of variance V per coordinate (total
    /// Sk(μ, μ) with 2μ = nV), on vectors of L2 sensitivity Δ₂ and L1 sensitivity
    /// Δ₁ ≤ √d·Δ₂: ε(α) = αΔ₂²/(4μ) + min{((2α − 1)Δ₂² + 6Δ₁)/(16μ²), 3Δ₁/(4μ)}
    /// (Agarwal, Kairouz and Liu 2021, Theorem 3.5).
    public static func skellam(participants n: Int, variance v: Double, sensitivity delta2: Double, dimension d: Int) -> RDPCurve {
        let mu = Double(n) * v / 2
        let delta1 = min(delta2 * delta2, Double(d).squareRoot() * delta2)
        return RDPCurve { a in
            a * delta2 * delta2 / (4 * mu) + min(((2 * a - 1) * delta2 * delta2 + 6 * delta1) / (16 * mu * mu), 3 * delta1 / (4 * mu))
        }
    }
}

/// What a job spends, as everybody computes it from the same public parameters.
public struct JobAccounting: Sendable {
    public let curvePerRound: RDPCurve
    public let rounds: Int
    public let delta: Double

    public init(curvePerRound: RDPCurve, rounds: Int, delta: Double) {
        self.curvePerRound = curvePerRound
        self.rounds = rounds
        self.delta = delta
    }

    /// ε after r rounds at the job's δ.
    public func epsilon(afterRounds r: Int) -> Double {
        r == 0 ? 0 : curvePerRound.composed(r).epsilon(delta: delta).epsilon
    }

    /// The increase of ε in round r: what the ledger records, so a job's rounds sum to its
    /// composed ε (RDP composition inside the job, basic composition across jobs).
    public func increment(round r: Int) -> Double { max(0, epsilon(afterRounds: r) - epsilon(afterRounds: r - 1)) }

    public var totalEpsilon: Double { epsilon(afterRounds: rounds) }
}

extension Mechanisms {
    /// Poisson-subsampled Gaussian with sampling rate q and noise multiplier σ:
    /// ε(α) = log(A_α)/(α − 1) (Mironov, Talwar and Zhang 2019, "Rényi differential privacy
    /// of the sampled Gaussian mechanism", §3.3 for integer α, §3.4 for fractional α), in
    /// log space as in dp-accounting.
    public static func subsampledGaussian(samplingRate q: Double, noiseMultiplier sigma: Double) -> RDPCurve {
        if q >= 1 { return gaussian(noiseMultiplier: sigma) }
        return RDPCurve { alpha in
            let logA = alpha == alpha.rounded() ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha))
                                                : logAFractional(q: q, sigma: sigma, alpha: alpha)
            return logA.isFinite ? max(0, logA / (alpha - 1)) : .infinity
        }
    }

    /// MTZ19 §3.3: A_α for integer α, Σ_k C(α, k)(1 − q)^{α−k} q^k e^{(k² − k)/(2σ²)}.
    static func logAInteger(q: Double, sigma: Double, alpha a: Int) -> Double {
        var acc = -Double.infinity
        for k in 0...a {
            let logBinomial = lgamma(Double(a) + 1) - lgamma(Double(k) + 1) - lgamma(Double(a - k) + 1)
            acc = logAdd(acc, logBinomial + Double(a - k) * log1p(-q) + Double(k) * log(q) + Double(k * k - k) / (2 * sigma * sigma))
        }
        return acc
    }

    /// MTZ19 §3.4: A_α for fractional α as two alternating series split at
    /// z₀ = σ² log(1/q − 1) + ½, summed until the terms fall below e^−30.
    static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var (logA0, logA1) = (-Double.infinity, -Double.infinity)
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        var coefficient = 1.0  // generalised binomial C(α, i)
        var i = 0
        while i < 10_000 {
            if i > 0 { coefficient *= (alpha - Double(i) + 1) / Double(i) }
            let logCoefficient = log(abs(coefficient))
            let j = alpha - Double(i)
            let logT0 = logCoefficient + Double(i) * log(q) + j * log1p(-q)
            let logT1 = logCoefficient + j * log(q) + Double(i) * log1p(-q)
            let logE0 = log(0.5) + logErfc((Double(i) - z0) / (2.0.squareRoot() * sigma))
            let logE1 = log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let logS0 = logT0 + (Double(i * i) - Double(i)) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
            if coefficient > 0 {
                logA0 = logAdd(logA0, logS0)
                logA1 = logAdd(logA1, logS1)
            } else {
                logA0 = logSub(logA0, logS0)
                logA1 = logSub(logA1, logS1)
            }
            i += 1
            if max(logS0, logS1) < -30 { break }
        }
        return logAdd(logA0, logA1)
    }

    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let (a, b) = (min(x, y), max(x, y))
        if a == -.infinity { return b }
        return b + log1p(exp(a - b))
    }

    static func logSub(_ x: Double, _ y: Double) -> Double {
        if y == -.infinity { return x }
        if x <= y { return -.infinity }
        return x + log1p(-exp(y - x))
    }

    /// log erfc(x), with the asymptotic series where erfc underflows.
    static func logErfc(_ x: Double) -> Double {
        if x < 25 { return log(erfc(x)) }
        let r = 1 / (x * x)
        return -x * x - log(x) - 0.5 * log(Double.pi) + log1p(-0.5 * r + 0.75 * r * r - 1.875 * r * r * r)
    }
}

/// Finding the noise for a target (ε, δ) by bisection on a monotone ε(noise).
public enum Calibration {
    /// The smallest noise in [low, high] with epsilon(noise) ≤ target, to relative precision 1e-6.
    public static func smallestNoise(target: Double, low: Double = 1e-3, high: Double = 1e9,
                                     epsilon: (Double) -> Double) -> Double? {
        guard epsilon(high) <= target else { return nil }
        var (lo, hi) = (low, high)
        while hi / lo > 1 + 1e-6 {
            let mid = (lo * hi).squareRoot()
            if epsilon(mid) <= target { hi = mid } else { lo = mid }
        }
        return hi
    }
}

extension Mechanisms {
    /// Laplace with scale b on L1 sensitivity Δ₁ (λ = b/Δ₁): pure ε = 1/λ per release, and the
    /// RDP curve ε(α) = log( α/(2α−1)·e^{(α−1)/λ} + (α−1)/(2α−1)·e^{−α/λ} ) / (α − 1)
    /// (Mironov 2017, Proposition 6).
    public static func laplace(scale b: Double, sensitivity delta1: Double = 1) -> RDPCurve {
        let lambda = b / delta1
        return RDPCurve { a in
            let first = log(a / (2 * a - 1)) + (a - 1) / lambda
            let second = log((a - 1) / (2 * a - 1)) - a / lambda
            let top = max(first, second)
            return (top + log(exp(first - top) + exp(second - top))) / (a - 1)
        }
    }

    /// T Laplace releases: the smaller of basic composition of pure DP (T/λ, δ = 0) and the
    /// RDP bound converted at δ.
    public static func laplaceEpsilon(scale b: Double, sensitivity delta1: Double = 1, rounds: Int, delta: Double) -> Double {
        min(Double(rounds) * delta1 / b, laplace(scale: b, sensitivity: delta1).composed(rounds).epsilon(delta: delta).epsilon)
    }
}
