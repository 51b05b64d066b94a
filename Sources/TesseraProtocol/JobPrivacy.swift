import Foundation

/// The privacy a job spends, as every node computes it from the signed spec.
public enum JobPrivacy {
    /// (ε, δ) the job spends in total, from its spec. Refuses malformed figures by name.
    public static func total(_ spec: Tessera_V1_JobSpec) throws -> (epsilon: Double, delta: Double) {
        guard let e = Double(spec.epsilon.isEmpty ? "0" : spec.epsilon), e.isFinite, e >= 0,
              let d = Double(spec.delta.isEmpty ? "0" : spec.delta), d.isFinite, d >= 0, d < 1 else {
            throw ProtocolError(.malformed, "job privacy figures ε = \(spec.epsilon.debugDescription), δ = \(spec.delta.debugDescription) are not valid")
        }
        return (e, d)
    }

    /// What round r (1-based) adds to the ledger: ε split evenly over the rounds (an upper
    /// bound on any composition's increments when ε is the composed total), δ once, in round 1.
    public static func cost(_ spec: Tessera_V1_JobSpec, round: Int) throws -> (epsilon: Double, delta: Double) {
        let (e, d) = try total(spec)
        let rounds = Double(max(spec.rounds, 1))
        return (e / rounds, round == 1 ? d : 0)
    }
}
