import Foundation

/// A Rényi-DP curve ε(α) (Mironov 2017, "Rényi differential privacy", Definition 3) on a grid
/// of orders α > 1. Composition adds curves (Mironov 2017, Proposition 1); conversion to
/// (ε, δ) takes the best order. Floating point is right here: this is accounting of public
/// parameters, not sampling.
public struct RDPCurve: Sendable, Equatable {
    /// Orders: fractional near 1 (where small ε lives), integers up to 256 (the grid of
    /// Google's dp-accounting RdpAccountant, extended).
    public static let orders: [Double] = [1.1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16,
                                          20, 24, 28, 32, 48, 64, 96, 128, 192, 256, 512, 1024]
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
