import Foundation
import TesseraProtocol

/// The local data of a `vector-sum` job: integers separated by commas, spaces or newlines;
/// `#` starts a comment. Errors name the file and line. The values never leave the
/// participant unencrypted.
public struct VectorData: Sendable {
    public let values: [Int64]

    public init(values: [Int64]) { self.values = values }

    public static func load(path: String) throws -> VectorData {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataError("data file \(path): cannot read")
        }
        var values: [Int64] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in content.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }) {
                guard let v = Int64(token) else {
                    throw DataError("data file \(path), line \(number + 1): \(String(token).debugDescription) is not an integer")
                }
                values.append(v)
            }
        }
        return VectorData(values: values)
    }
}

public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// What this participant agrees to, whatever the coordinator asks (checked before any data
/// is touched).
public struct LocalPolicy: Codable, Sendable {
    /// Refuse jobs whose aggregate could cover fewer brands than this.
    public var minParticipants: Int = 2
    public var maxVectorLength: Int = 1_000_000
    public var acceptKinds: [String] = ["vector-sum"]
    /// Aggregation schemes this brand allows its data under ("one-shot": no dealer, holders
    /// check what they decrypt; "paillier": a dealt key, see protocol/README.md §1).
    public var acceptSchemes: [String] = ["one-shot", "paillier"]
    /// Total privacy this participant will ever spend in the federation (basic composition
    /// across jobs). The ledger refuses any round that would exceed it.
    public var budget = Budget()
    /// The most ε one job may spend (nil: only the budget limits it).
    public var maxEpsilonPerJob: Double?
    /// Principals this brand lets read what is released from its data (nil: any the job
    /// names). A job naming another reader is refused with the reader's name.
    public var allowedReaders: [String]?
    /// Principals whose proposals this brand runs (nil: any; a job from a coordinator's job
    /// file has no proposer and is then refused).
    public var allowedProposers: [String]?
    /// Purposes this brand runs jobs for (nil: any).
    public var allowedPurposes: [String]?
    /// Hold every job that passes these rules for the brand's steward, who approves or rejects
    /// it through the coordinator's job API with its own signature; after `stewardTimeout`
    /// seconds the brand refuses the steward's decision and the job.
    public var stewardApproval = false
    public var stewardTimeout: Double = 3600

    public struct Budget: Codable, Sendable {
        public var epsilon: Double = 10
        public var delta: Double = 1e-5
        public init(epsilon: Double = 10, delta: Double = 1e-5) { self.epsilon = epsilon; self.delta = delta }
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minParticipants = try c.decodeIfPresent(Int.self, forKey: .minParticipants) ?? 2
        maxVectorLength = try c.decodeIfPresent(Int.self, forKey: .maxVectorLength) ?? 1_000_000
        acceptKinds = try c.decodeIfPresent([String].self, forKey: .acceptKinds) ?? ["vector-sum"]
        acceptSchemes = try c.decodeIfPresent([String].self, forKey: .acceptSchemes) ?? ["one-shot", "paillier"]
        budget = try c.decodeIfPresent(Budget.self, forKey: .budget) ?? Budget()
        maxEpsilonPerJob = try c.decodeIfPresent(Double.self, forKey: .maxEpsilonPerJob)
        allowedReaders = try c.decodeIfPresent([String].self, forKey: .allowedReaders)
        allowedProposers = try c.decodeIfPresent([String].self, forKey: .allowedProposers)
        allowedPurposes = try c.decodeIfPresent([String].self, forKey: .allowedPurposes)
        stewardApproval = try c.decodeIfPresent(Bool.self, forKey: .stewardApproval) ?? false
        stewardTimeout = try c.decodeIfPresent(Double.self, forKey: .stewardTimeout) ?? 3600
    }

    /// The first rule of this policy about who proposes, reads and why that `spec` breaks,
    /// as the reason the brand gives (nil if none).
    public func consentViolation(_ spec: Tessera_V1_JobSpec) -> String? {
        if let allowedReaders, let reader = spec.resultReaders.first(where: { !allowedReaders.contains($0) }) {
            return "local policy: result reader \(reader) is not allowed (allowed: \(allowedReaders.isEmpty ? "none" : allowedReaders.joined(separator: ", ")))"
        }
        if let allowedProposers, !allowedProposers.contains(spec.proposer) {
            return spec.proposer.isEmpty ? "local policy: the job has no proposer, and only jobs proposed by \(allowedProposers.joined(separator: ", ")) are allowed"
                                         : "local policy: proposer \(spec.proposer) is not allowed (allowed: \(allowedProposers.joined(separator: ", ")))"
        }
        if let allowedPurposes, !allowedPurposes.contains(spec.purpose) {
            return "local policy: purpose \(spec.purpose.debugDescription) is not allowed (allowed: \(allowedPurposes.map(\.debugDescription).joined(separator: ", ")))"
        }
        return nil
    }

    public static func load(path: String?) throws -> LocalPolicy {
        guard let path else { return LocalPolicy() }
        do { return try ReadableErrors.decodeJSONFile(LocalPolicy.self, path: path, what: "policy file") } catch {
            throw DataError("\(error)")
        }
    }
}
