import Foundation
import TesseraCrypto
import TesseraMath
import TesseraPrivacy
import TesseraProtocol

/// A job as an operator writes it (JSON; see protocol/README.md §"Job files"). The coordinator
/// turns it into the signed `JobSpec` every participant checks.
public struct JobDefinition: Codable, Sendable {
    public var id: String
    public var kind: String
    public var vectorLength: Int
    public var valueBound: Int64
    public var rounds: Int?
    public var participants: [String]?
    public var minParticipants: Int?
    public var privacy: Privacy?

    /// Distributed noise: every participant adds `mechanism` noise of `variance` (integer
    /// units, decimal or "p/q") to its update clipped to L2 norm `l2Bound`.
    public struct Privacy: Codable, Sendable {
        public var mechanism: String
        public var variance: String
        public var l2Bound: Int64
        public var delta: Double
        public init(mechanism: String = "discrete-gaussian", variance: String, l2Bound: Int64, delta: Double) {
            self.mechanism = mechanism
            self.variance = variance
            self.l2Bound = l2Bound
            self.delta = delta
        }
    }

    public init(id: String, kind: String = "vector-sum", vectorLength: Int, valueBound: Int64, rounds: Int? = nil,
                participants: [String]? = nil, minParticipants: Int? = nil, privacy: Privacy? = nil) {
        self.id = id
        self.kind = kind
        self.vectorLength = vectorLength
        self.valueBound = valueBound
        self.rounds = rounds
        self.participants = participants
        self.minParticipants = minParticipants
        self.privacy = privacy
    }

    public static func load(path: String) throws -> JobDefinition {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ProtocolError(.malformed, "job file \(path): cannot read")
        }
        do { return try JSONDecoder().decode(JobDefinition.self, from: data) } catch {
            throw ProtocolError(.malformed, "job file \(path): \(error)")
        }
    }

    public func spec(federation: FederationInfo) throws -> Tessera_V1_JobSpec {
        guard id.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
            throw ProtocolError(.malformed, "job id \(id.debugDescription) must be 1-64 of [A-Za-z0-9._-]")
        }
        let listed = (participants ?? federation.participantIDs).sorted()
        let key = federation.thresholdKey
        var noiseBound: Int64 = 0
        if let privacy {
            guard let v = ExactRational(privacy.variance) else { throw ProtocolError(.malformed, "privacy variance \(privacy.variance.debugDescription) is not a decimal or fraction") }
            noiseBound = JobPrivacy.noiseBound(variance: v)
        }
        let plan = try BitWidthPlanner.plan(valueBound: valueBound, noise: NoiseBound(value: noiseBound, tailProbability: JobPrivacy.noiseTail),
                                            maxParticipants: listed.count, plaintextBits: key.paillier.bits)
        var spec = Tessera_V1_JobSpec()
        spec.kind = kind
        spec.vectorLength = UInt32(vectorLength)
        spec.valueBound = valueBound
        spec.noiseBound = noiseBound
        spec.noiseMechanism = privacy?.mechanism ?? "none"
        spec.noiseVariance = privacy?.variance ?? "0"
        spec.l2Bound = privacy?.l2Bound ?? 0
        spec.minParticipants = UInt32(minParticipants ?? listed.count)
        spec.threshold = UInt32(key.threshold)
        spec.rounds = UInt32(rounds ?? 1)
        spec.slotBits = UInt32(plan.slotBits)
        spec.slotsPerCiphertext = UInt32(plan.slotsPerPlaintext)
        spec.paillierKeyID = Data(key.id.bytes)
        spec.participants = listed
        spec.delta = privacy.map { "\($0.delta)" } ?? "0"
        spec.epsilon = try JobPrivacy.accounting(spec).map { "\($0.totalEpsilon)" } ?? "0"
        _ = try JobSpecRules.validate(spec, federation: federation)
        return spec
    }
}
