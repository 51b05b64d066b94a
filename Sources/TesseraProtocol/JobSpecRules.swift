import Foundation
import TesseraCrypto
import TesseraJobs

/// Checks every node applies to a job spec before acting on it (protocol/README.md §"Jobs").
public enum JobSpecRules {
    public static let supportedKinds = Set(JobComputation.kinds)
    public static let supportedNoise: Set<String> = ["none", "discrete-gaussian", "skellam"]
    public static let maxVectorLength = 10_000_000

    public static let supportedSchemes: Set<String> = ["paillier", "one-shot"]

    /// Structural validation shared by coordinator, participants and auditors; the scheme's
    /// own fields (packing plan, key, mask parameters) are checked by `SchemeRules`.
    public static func validate(_ spec: Tessera_V1_JobSpec, federation: FederationInfo) throws {
        guard supportedSchemes.contains(spec.scheme) else {
            throw ProtocolError(.refused, "unsupported aggregation scheme \(spec.scheme.debugDescription) (expected \"one-shot\" or \"paillier\")")
        }
        guard supportedKinds.contains(spec.kind) else { throw ProtocolError(.refused, "unsupported job kind \(spec.kind.debugDescription)") }
        guard supportedNoise.contains(spec.noiseMechanism) else {
            throw ProtocolError(.refused, "unsupported noise mechanism \(spec.noiseMechanism.debugDescription)")
        }
        guard spec.vectorLength >= 1, spec.vectorLength <= maxVectorLength else {
            throw ProtocolError(.malformed, "vector length \(spec.vectorLength) outside 1...\(maxVectorLength)")
        }
        guard spec.rounds >= 1, spec.rounds <= 10_000 else { throw ProtocolError(.malformed, "rounds \(spec.rounds) outside 1...10000") }
        _ = try computation(spec)
        let unknown = spec.participants.filter { federation.participants[$0] == nil }
        guard unknown.isEmpty else { throw ProtocolError(.malformed, "job names unknown participants \(unknown)") }
        guard Set(spec.participants).count == spec.participants.count else { throw ProtocolError(.malformed, "job lists a participant twice") }
        guard spec.minParticipants >= 1, Int(spec.minParticipants) <= spec.participants.count else {
            throw ProtocolError(.malformed, "minimum participants \(spec.minParticipants) of \(spec.participants.count) listed")
        }
        // The noise bound must be the one every participant derives from the variance.
        let mechanism = try JobPrivacy.mechanism(spec)
        switch mechanism {
        case .none:
            guard spec.noiseBound == 0 else { throw ProtocolError(.malformed, "noise bound \(spec.noiseBound) for a job without noise") }
        case .discreteGaussian(let v), .skellam(let v):
            let bound = JobPrivacy.noiseBound(variance: v)
            guard spec.noiseBound == bound else {
                throw ProtocolError(.malformed, "noise bound \(spec.noiseBound) differs from \(bound), the 2^-40 tail bound of variance \(v)")
            }
        case .discreteLaplace:
            throw ProtocolError(.refused, "discrete Laplace is not a distributed mechanism")
        }
        _ = try JobPrivacy.total(spec)
    }

    /// The job's local computation, checked against the spec: its vector length, and for jobs
    /// whose privacy unit is a customer, an `l2_bound` that covers one customer's contribution.
    public static func computation(_ spec: Tessera_V1_JobSpec) throws -> JobComputation {
        let computation: JobComputation
        do { computation = try JobComputation(kind: spec.kind, parameters: spec.parameters) } catch {
            throw ProtocolError(.malformed, "job \(spec.kind): \(error)")
        }
        switch computation {
        case .vectorSum:
            guard spec.privacyUnit.isEmpty || spec.privacyUnit == "participant" else {
                throw ProtocolError(.malformed, "vector-sum protects a participant's whole vector; privacy unit \(spec.privacyUnit.debugDescription) is not supported")
            }
        default:
            guard spec.privacyUnit == "customer" else {
                throw ProtocolError(.malformed, "\(spec.kind) jobs bound each customer's contribution; privacy unit must be \"customer\", not \(spec.privacyUnit.debugDescription)")
            }
            guard let length = computation.vectorLength, Int(spec.vectorLength) == length else {
                throw ProtocolError(.malformed, "\(spec.kind) with these parameters has \(computation.vectorLength ?? 0) values, the spec says \(spec.vectorLength)")
            }
            if spec.noiseMechanism != "none", let bound = computation.perCustomerL2Bound, spec.l2Bound < bound {
                throw ProtocolError(.malformed, "l2_bound \(spec.l2Bound) is below one customer's contribution bound \(bound): the noise would not cover it")
            }
        }
        return computation
    }
}
