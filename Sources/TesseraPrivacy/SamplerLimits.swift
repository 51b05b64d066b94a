/// The parameter ranges within which the exact samplers (`CKS20`, `ExactPoisson`) work, and a
/// checked way to build a `NoiseMechanism` from a standard deviation σ given as text.
///
/// The samplers compute in `Int128`, which traps on overflow; these limits keep every
/// intermediate in range. For the discrete Gaussian with σ² = p/q (Canonne, Kamath and
/// Steinke 2020, Algorithm 3) and t = ⌊σ⌋ + 1, one has q·t² ≤ p + 2√(pq) + q ≤ 2^50 when
/// p, q ≤ 2^48, so the denominator 2·p·q·t² of the acceptance exponent stays below 2^99 and
/// its numerator (|Y|·q·t − p)² below 2^127 as long as the Laplace proposal's geometric part
/// V stays below 2^13 (|Y| < t·(V + 1)); P[V ≥ k] = e^(−k), so a larger draw has probability
/// below e^(−8192). The discrete Laplace (Algorithm 2) with b = t/s ≤ 2^48 stays far inside
/// Int64 under the same tail. The Skellam sampler draws ⌈μ⌉ Poisson(1) variables
/// (`ExactPoisson`, "meant for means up to ~10⁶"), so its variance 2μ is capped at 2^21.
public enum SamplerLimits {
    /// Largest numerator or denominator (in lowest terms) of σ² or of a Laplace scale b.
    public static let maximumPart: Int128 = 1 << 48
    /// Largest Skellam variance σ² = 2μ.
    public static let maximumSkellamVariance = ExactRational(1 << 21)
}

/// Why a noise parameter was refused.
public enum NoiseParameterError: Error, Equatable, CustomStringConvertible {
    case unknownMechanism(String)
    case notARational(String)
    case notPositive
    case outOfRange(mechanism: String, detail: String)

    public var description: String {
        switch self {
        case .unknownMechanism(let m): return "unknown noise mechanism \(m.debugDescription) (discrete-gaussian, discrete-laplace or skellam)"
        case .notARational(let text): return "σ \(text.prefix(40).debugDescription) is not a non-negative decimal or fraction p/q within 128 bits"
        case .notPositive: return "σ must be positive"
        case .outOfRange(let m, let detail): return "σ is outside the \(m) sampler's range: \(detail)"
        }
    }
}

extension NoiseMechanism {
    /// The mechanism named `mechanism` with standard deviation σ = `sigma` ("12", "2.5",
    /// "7/3"); for discrete-laplace σ is the scale b, for skellam σ² = 2μ. Refuses by name
    /// anything the samplers cannot draw from, instead of trapping while squaring σ or sampling.
    public init(mechanism: String, sigma text: String) throws(NoiseParameterError) {
        guard ["discrete-gaussian", "discrete-laplace", "skellam"].contains(mechanism) else {
            throw .unknownMechanism(mechanism)
        }
        guard let s = ExactRational(text) else { throw .notARational(text) }
        guard !s.isZero else { throw .notPositive }
        if mechanism == "discrete-laplace" {
            self = .discreteLaplace(scale: s)
        } else {
            let (p, pOverflow) = s.numerator.multipliedReportingOverflow(by: s.numerator)
            let (q, qOverflow) = s.denominator.multipliedReportingOverflow(by: s.denominator)
            guard !pOverflow, !qOverflow else {
                throw .outOfRange(mechanism: mechanism, detail: "σ² does not fit in 128-bit integers")
            }
            let variance = ExactRational(p, q)
            self = mechanism == "skellam" ? .skellam(variance: variance) : .discreteGaussian(variance: variance)
        }
        try checkSamplerRange()
    }

    /// Refuses, by name, parameters the samplers cannot draw from (`SamplerLimits`). Every
    /// way of building a mechanism from outside input goes through this check.
    public func checkSamplerRange() throws(NoiseParameterError) {
        func parts(_ r: ExactRational, _ mechanism: String, _ name: String) throws(NoiseParameterError) {
            guard r.numerator <= SamplerLimits.maximumPart, r.denominator <= SamplerLimits.maximumPart else {
                throw .outOfRange(mechanism: mechanism, detail: "\(name) = \(r) has a numerator or denominator above 2^48")
            }
        }
        switch self {
        case .none: return
        case .discreteLaplace(let b): try parts(b, "discrete-laplace", "b")
        case .discreteGaussian(let v): try parts(v, "discrete-gaussian", "σ²")
        case .skellam(let v):
            try parts(v, "skellam", "σ²")
            guard v.numerator * SamplerLimits.maximumSkellamVariance.denominator
                    <= SamplerLimits.maximumSkellamVariance.numerator * v.denominator else {
                throw .outOfRange(mechanism: "skellam", detail: "σ² = \(v) exceeds \(SamplerLimits.maximumSkellamVariance)")
            }
        }
    }
}
