import Foundation
import TesseraCrypto
import TesseraData
import TesseraJobs
import TesseraMath
import TesseraPrivacy
import TesseraProtocol
import TesseraSchemes

/// A job as an operator writes it (JSON; see protocol/README.md §"Job files"). The coordinator
/// turns it into the signed `JobSpec` every participant checks.
public struct JobDefinition: Codable, Sendable {
    public var id: String
    public var kind: String
    /// The aggregation scheme: "one-shot" or "paillier" (`JobDefinition.defaultScheme` when omitted).
    public var scheme: String
    public var vectorLength: Int
    public var valueBound: Int64
    public var rounds: Int?
    public var participants: [String]?
    public var minParticipants: Int?
    public var privacy: Privacy?
    /// Kind-specific parameters (`segment-profile`, `kmeans`, `logreg`); they fix the vector
    /// length and the per-customer L2 bound, which the job file then need not state.
    public var parameters: JobComputation?
    /// Principals (manifest ids) who may read the released result through the job API.
    public var readers: [String]?
    /// What the job is for, in words: shown to stewards, matched by participants' policies.
    public var purpose: String?
    /// The principal that submitted the job through the API (set by the coordinator, never
    /// taken from a submitted file); nil for a job given to `serve --job`.
    public var proposer: String?

    /// Distributed noise: every participant adds `mechanism` noise of `variance` (integer
    /// units, decimal or "p/q") to its update clipped to L2 norm `l2Bound`.
    public struct Privacy: Codable, Sendable {
        public var mechanism: String
        public var variance: String
        public var l2Bound: Int64
        public var delta: Double
        enum CodingKeys: String, CodingKey { case mechanism, variance, l2Bound, delta }

        /// `l2Bound` may be omitted for per-customer jobs, whose computation fixes it.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mechanism = try c.decodeIfPresent(String.self, forKey: .mechanism) ?? "discrete-gaussian"
            variance = try c.decode(String.self, forKey: .variance)
            l2Bound = try c.decodeIfPresent(Int64.self, forKey: .l2Bound) ?? 0
            delta = try c.decode(Double.self, forKey: .delta)
        }

        public init(mechanism: String = "discrete-gaussian", variance: String, l2Bound: Int64, delta: Double) {
            self.mechanism = mechanism
            self.variance = variance
            self.l2Bound = l2Bound
            self.delta = delta
        }
    }

    /// The scheme of a job file that names none.
    public static let defaultScheme = "one-shot"

    public init(id: String, kind: String = "vector-sum", scheme: String = JobDefinition.defaultScheme, vectorLength: Int, valueBound: Int64,
                rounds: Int? = nil, participants: [String]? = nil, minParticipants: Int? = nil, privacy: Privacy? = nil) {
        self.id = id
        self.kind = kind
        self.scheme = scheme
        self.vectorLength = vectorLength
        self.valueBound = valueBound
        self.rounds = rounds
        self.participants = participants
        self.minParticipants = minParticipants
        self.privacy = privacy
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, scheme, vectorLength, valueBound, rounds, participants, minParticipants, privacy, parameters, readers, purpose, proposer
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "vector-sum"
        scheme = try c.decodeIfPresent(String.self, forKey: .scheme) ?? Self.defaultScheme
        valueBound = try c.decode(Int64.self, forKey: .valueBound)
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds)
        participants = try c.decodeIfPresent([String].self, forKey: .participants)
        minParticipants = try c.decodeIfPresent(Int.self, forKey: .minParticipants)
        privacy = try c.decodeIfPresent(Privacy.self, forKey: .privacy)
        readers = try c.decodeIfPresent([String].self, forKey: .readers)
        purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
        proposer = try c.decodeIfPresent(String.self, forKey: .proposer)
        if kind == "vector-sum" {
            parameters = nil
        } else {
            let value = try c.decodeIfPresent(JSONValue.self, forKey: .parameters) ?? .object([:])
            do { parameters = try JobComputation(kind: kind, parameters: value) } catch {
                throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "\(error)")
            }
        }
        vectorLength = try c.decodeIfPresent(Int.self, forKey: .vectorLength) ?? parameters?.vectorLength ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(scheme, forKey: .scheme)
        try c.encode(vectorLength, forKey: .vectorLength)
        try c.encode(valueBound, forKey: .valueBound)
        try c.encodeIfPresent(rounds, forKey: .rounds)
        try c.encodeIfPresent(participants, forKey: .participants)
        try c.encodeIfPresent(minParticipants, forKey: .minParticipants)
        try c.encodeIfPresent(privacy, forKey: .privacy)
        try c.encodeIfPresent(readers, forKey: .readers)
        try c.encodeIfPresent(purpose, forKey: .purpose)
        try c.encodeIfPresent(proposer, forKey: .proposer)
        switch parameters {
        case .segmentProfile(let s): try c.encode(s, forKey: .parameters)
        case .kmeans(let k): try c.encode(k, forKey: .parameters)
        case .logreg(let l): try c.encode(l, forKey: .parameters)
        case .vectorSum, nil: break
        }
    }

    public static func load(path: String) throws -> JobDefinition {
        do { return try ReadableErrors.decodeJSONFile(JobDefinition.self, path: path, what: "job file") } catch let error as FileError {
            throw ProtocolError(.malformed, error.description)
        }
    }

    public func spec(federation: FederationInfo, federationKey: FederationKey? = nil) throws -> Tessera_V1_JobSpec {
        var spec = try draft(federation: federation)
        try SchemeRules.complete(&spec, federation: federation, federationKey: federationKey)
        _ = try SchemeRules.scheme(for: spec, federation: federation, keys: SchemeKeys(federationKeys: federationKey.map { [$0] } ?? []))
        return spec
    }

    /// Checks a job that waits for its federation key (a one-shot job before its epoch's DKG)
    /// as far as it can be checked without the key: the spec's rules and the one-shot planner,
    /// so that a job that could never run is refused before a DKG is run for it.
    public func validateBeforeKey(federation: FederationInfo) throws {
        let spec = try draft(federation: federation)
        try JobSpecRules.validate(spec, federation: federation)
        if spec.scheme == OneShotScheme.name { try OneShotScheme.checkPlan(spec) }
    }

    /// The ε the job would spend and the participants it lists (its spec before the scheme's
    /// fields, which do not change either).
    public func privacyDemand(federation: FederationInfo) throws -> (epsilon: Double, participants: [String], minParticipants: Int) {
        let spec = try draft(federation: federation)
        return (Double(spec.epsilon) ?? 0, spec.participants, Int(spec.minParticipants))
    }

    /// The spec without its scheme's fields (`SchemeRules.complete` fills them).
    func draft(federation: FederationInfo) throws -> Tessera_V1_JobSpec {
        guard id.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
            throw ProtocolError(.malformed, "job id \(id.debugDescription) must be 1-64 of [A-Za-z0-9._-]")
        }
        let listed = (participants ?? federation.participantIDs).sorted()
        let computation: JobComputation
        do { computation = try parameters ?? JobComputation(kind: kind, parameters: "") } catch {
            throw ProtocolError(.malformed, "job \(id): \(error)")
        }
        let length = computation.vectorLength ?? vectorLength
        var noiseBound: Int64 = 0
        if let privacy {
            guard let v = ExactRational(privacy.variance) else { throw ProtocolError(.malformed, "privacy variance \(privacy.variance.debugDescription) is not a decimal or fraction") }
            noiseBound = JobPrivacy.noiseBound(variance: v)
        }
        var spec = Tessera_V1_JobSpec()
        spec.kind = kind
        spec.scheme = scheme
        /// A count of the spec (a UInt32 on the wire), refused by name outside `range`: found by
        /// the job-file fuzz target, a negative `minParticipants` trapped the coordinator.
        func count(_ value: Int, _ field: String, _ range: ClosedRange<Int>) throws -> UInt32 {
            guard range.contains(value) else { throw ProtocolError(.malformed, "job \(id): \(field) must be \(range.lowerBound)...\(range.upperBound), not \(value)") }
            return UInt32(value)
        }
        guard valueBound >= 0 else { throw ProtocolError(.malformed, "job \(id): valueBound must not be negative, not \(valueBound)") }
        if let privacy, privacy.l2Bound < 0 { throw ProtocolError(.malformed, "job \(id): privacy.l2Bound must not be negative, not \(privacy.l2Bound)") }
        spec.vectorLength = try count(length, "vectorLength", 1...Int(UInt32.max))
        spec.valueBound = valueBound
        spec.noiseBound = noiseBound
        spec.noiseMechanism = privacy?.mechanism ?? "none"
        spec.noiseVariance = privacy?.variance ?? "0"
        // Per-customer jobs: the bound their computation guarantees (at least the file's).
        spec.l2Bound = privacy.map { max($0.l2Bound, computation.perCustomerL2Bound ?? 0) } ?? 0
        spec.privacyUnit = computation.perCustomerL2Bound == nil ? "participant" : "customer"
        spec.parameters = computation.canonicalParameters
        spec.minParticipants = try count(minParticipants ?? listed.count, "minParticipants", 1...max(1, listed.count))
        spec.rounds = try count(rounds ?? 1, "rounds", 1...100_000)
        spec.participants = listed
        spec.delta = privacy.map { "\($0.delta)" } ?? "0"
        spec.epsilon = try JobPrivacy.accounting(spec).map { "\($0.totalEpsilon)" } ?? "0"
        let readers = self.readers ?? []
        guard Set(readers).count == readers.count else { throw ProtocolError(.malformed, "job \(id): readers: a principal is listed twice") }
        if let stranger = readers.first(where: { federation.principals[$0] == nil }) {
            throw ProtocolError(.malformed, "job \(id): readers: \(stranger.debugDescription) is not a principal of federation \(federation.name)")
        }
        spec.resultReaders = readers.sorted()
        spec.purpose = purpose ?? ""
        spec.proposer = proposer ?? ""
        if let proposer, federation.principals[proposer] == nil {
            throw ProtocolError(.malformed, "job \(id): proposer \(proposer.debugDescription) is not a principal of federation \(federation.name)")
        }
        return spec
    }
}
