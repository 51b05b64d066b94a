import TesseraRandom

/// The integer noise a participant adds to each value of its update, named as in job specs.
public enum NoiseMechanism: Sendable, Hashable {
    case none
    /// N_Z(0, σ²) per value (distributed discrete Gaussian, Kairouz, Liu and Steinke 2021,
    /// "The distributed discrete Gaussian mechanism for federated learning with secure
    /// aggregation", ICML 2021, Algorithm 1).
    case discreteGaussian(variance: ExactRational)
    /// Discrete Laplace with scale b: variance 2e^(−1/b)/(1 − e^(−1/b))²; for central use.
    case discreteLaplace(scale: ExactRational)
    /// Skellam with variance V = 2μ per value (Agarwal, Kairouz and Liu 2021).
    case skellam(variance: ExactRational)

    public enum ParseError: Error, CustomStringConvertible {
        case unknown(String), badParameter(String)
        public var description: String {
            switch self {
            case .unknown(let m): return "unknown noise mechanism \(m.debugDescription)"
            case .badParameter(let p): return "noise parameter \(p.debugDescription) is not a non-negative decimal or fraction"
            }
        }
    }

    /// From a job spec's `noise_mechanism` and `noise_variance` (or scale for Laplace);
    /// parameters outside the samplers' exact range are refused (`checkSamplerRange`).
    public init(name: String, parameter: String) throws {
        if name == "none" { self = .none; return }
        guard let value = ExactRational(parameter) else { throw ParseError.badParameter(parameter) }
        switch name {
        case "discrete-gaussian": self = .discreteGaussian(variance: value)
        case "discrete-laplace": self = .discreteLaplace(scale: value)
        case "skellam": self = .skellam(variance: value)
        default: throw ParseError.unknown(name)
        }
        try checkSamplerRange()
    }

    public func sample<R: RandomSource>(using rng: inout R) -> Int64 {
        switch self {
        case .none: return 0
        case .discreteGaussian(let v): return Int64(CKS20.discreteGaussian(sigmaSquared: v, using: &rng))
        case .discreteLaplace(let b): return Int64(CKS20.discreteLaplace(s: b.denominator, t: b.numerator, using: &rng))
        case .skellam(let v): return Int64(ExactPoisson.skellam(mean: ExactRational(v.numerator, 2 * v.denominator), using: &rng))
        }
    }

    /// `count` samples, each redrawn until |z| ≤ bound (the packing plan's tail bound; the
    /// redraw happens with probability at most the bound's tail probability, e.g. 2^−40).
    public func samples<R: RandomSource>(count: Int, bound: Int64, using rng: inout R) -> [Int64] {
        (0..<count).map { _ in
            while true {
                let z = sample(using: &rng)
                if z.magnitude <= bound.magnitude { return z }
            }
        }
    }
}
