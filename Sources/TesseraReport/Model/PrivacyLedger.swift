import Foundation

/// One participant's privacy ledger as the run left it.
public struct ParticipantLedger: Codable, Sendable, Equatable {
    public var participant: String
    /// The participant's local budget (ε, δ) from its policy.
    public var budgetEpsilon: Double
    public var budgetDelta: Double
    /// Cumulative spend after each round the participant took part in, in round order.
    public var entries: [LedgerEntry]
    /// Rounds the participant refused before touching its data.
    public var refusals: [Refusal]

    public init(participant: String, budgetEpsilon: Double, budgetDelta: Double,
                entries: [LedgerEntry], refusals: [Refusal] = []) {
        self.participant = participant
        self.budgetEpsilon = budgetEpsilon
        self.budgetDelta = budgetDelta
        self.entries = entries
        self.refusals = refusals
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(participant, forKey: .participant)
        try c.encodeRounded(budgetEpsilon, forKey: .budgetEpsilon)
        try c.encodeRounded(budgetDelta, forKey: .budgetDelta)
        try c.encode(entries, forKey: .entries)
        try c.encode(refusals, forKey: .refusals)
    }
}

/// Cumulative (ε, δ) spent by a participant once a round was recorded.
public struct LedgerEntry: Codable, Sendable, Equatable {
    /// Round number across the whole run, counting from 1.
    public var round: Int
    public var job: String?
    public var epsilonSpent: Double
    public var deltaSpent: Double

    public init(round: Int, job: String? = nil, epsilonSpent: Double, deltaSpent: Double) {
        self.round = round
        self.job = job
        self.epsilonSpent = epsilonSpent
        self.deltaSpent = deltaSpent
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(round, forKey: .round)
        try c.encodeIfPresent(job, forKey: .job)
        try c.encodeRounded(epsilonSpent, forKey: .epsilonSpent)
        try c.encodeRounded(deltaSpent, forKey: .deltaSpent)
    }
}

/// A round a participant refused, with the reason it gave.
public struct Refusal: Codable, Sendable, Equatable {
    public var round: Int
    public var job: String?
    public var reason: String

    public init(round: Int, job: String? = nil, reason: String) {
        self.round = round
        self.job = job
        self.reason = reason
    }
}
