import Foundation
import TesseraCrypto
import TesseraMath
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

    public init(id: String, kind: String = "vector-sum", vectorLength: Int, valueBound: Int64, rounds: Int? = nil,
                participants: [String]? = nil, minParticipants: Int? = nil) {
        self.id = id
        self.kind = kind
        self.vectorLength = vectorLength
        self.valueBound = valueBound
        self.rounds = rounds
        self.participants = participants
        self.minParticipants = minParticipants
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
        let plan = try BitWidthPlanner.plan(valueBound: valueBound, noise: .none, maxParticipants: listed.count,
                                            plaintextBits: key.paillier.bits)
        var spec = Tessera_V1_JobSpec()
        spec.kind = kind
        spec.vectorLength = UInt32(vectorLength)
        spec.valueBound = valueBound
        spec.noiseBound = 0
        spec.noiseMechanism = "none"
        spec.noiseVariance = "0"
        spec.minParticipants = UInt32(minParticipants ?? listed.count)
        spec.threshold = UInt32(key.threshold)
        spec.rounds = UInt32(rounds ?? 1)
        spec.slotBits = UInt32(plan.slotBits)
        spec.slotsPerCiphertext = UInt32(plan.slotsPerPlaintext)
        spec.paillierKeyID = Data(key.id.bytes)
        spec.participants = listed
        spec.epsilon = "0"
        spec.delta = "0"
        _ = try JobSpecRules.validate(spec, federation: federation)
        return spec
    }
}
