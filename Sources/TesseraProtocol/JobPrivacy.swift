import Foundation
import TesseraAccountant
import TesseraMath
import TesseraPrivacy

/// The privacy a job spends, as every node computes it from the signed spec with the same
/// accountant: participants never take the coordinator's figure on trust.
public enum JobPrivacy {
    /// Tail probability at which the packing plan bounds each participant's noise.
    public static let noiseTail = 0x1p-40

    public static func mechanism(_ spec: Tessera_V1_JobSpec) throws -> NoiseMechanism {
        do { return try NoiseMechanism(name: spec.noiseMechanism, parameter: spec.noiseVariance) } catch {
            throw ProtocolError(.refused, "job noise: \(error)")
        }
    }

    /// The per-participant noise bound for a variance (σ·√(2 ln(2/τ)) + 1, τ = 2^−40).
    public static func noiseBound(variance: ExactRational) -> Int64 {
        NoiseBound.discreteGaussian(sigma: variance.doubleValue.squareRoot(), tailProbability: noiseTail).value
    }

    /// The job's accountant: the noise of `min_participants` honest participants, L2
    /// sensitivity `l2_bound`, `rounds` releases, at the spec's δ. Nil for jobs without noise.
    public static func accounting(_ spec: Tessera_V1_JobSpec) throws -> JobAccounting? {
        let mechanism = try mechanism(spec)
        guard let delta = Double(spec.delta), delta >= 0, delta < 1 else {
            throw ProtocolError(.malformed, "job δ \(spec.delta.debugDescription) is not in [0, 1)")
        }
        let n = Int(spec.minParticipants), d = Int(spec.vectorLength), l2 = Double(spec.l2Bound)
        switch mechanism {
        case .none:
            return nil
        case .discreteGaussian(let v):
            guard spec.l2Bound > 0, delta > 0 else { throw ProtocolError(.malformed, "a noised job needs l2_bound > 0 and δ > 0") }
            return JobAccounting(curvePerRound: Mechanisms.distributedDiscreteGaussian(participants: n, variance: v.doubleValue, sensitivity: l2, dimension: d),
                                 rounds: Int(spec.rounds), delta: delta)
        case .skellam(let v):
            guard spec.l2Bound > 0, delta > 0 else { throw ProtocolError(.malformed, "a noised job needs l2_bound > 0 and δ > 0") }
            return JobAccounting(curvePerRound: Mechanisms.skellam(participants: n, variance: v.doubleValue, sensitivity: l2, dimension: d),
                                 rounds: Int(spec.rounds), delta: delta)
        case .discreteLaplace:
            throw ProtocolError(.refused, "discrete Laplace is a central mechanism; jobs use discrete-gaussian or skellam")
        }
    }

    /// (ε, δ) the job spends in total, recomputed; refuses a spec whose declared ε differs.
    public static func total(_ spec: Tessera_V1_JobSpec) throws -> (epsilon: Double, delta: Double) {
        guard let accounting = try accounting(spec) else { return (0, 0) }
        let computed = accounting.totalEpsilon
        guard let declared = Double(spec.epsilon), abs(declared - computed) <= 1e-6 * max(1, computed) else {
            throw ProtocolError(.refused, "job declares ε = \(spec.epsilon), the accountant computes \(computed)")
        }
        return (computed, accounting.delta)
    }

    /// What round r (1-based) adds to a ledger: the increase of the job's composed ε, and δ
    /// once, in round 1.
    public static func cost(_ spec: Tessera_V1_JobSpec, round: Int) throws -> (epsilon: Double, delta: Double) {
        guard let accounting = try accounting(spec) else { return (0, 0) }
        return (accounting.increment(round: round), round == 1 ? accounting.delta : 0)
    }
}
