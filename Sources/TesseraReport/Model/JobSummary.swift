import Foundation

/// One job of the run as its spec declared it.
public struct JobSummary: Codable, Sendable, Equatable {
    public var id: String
    /// e.g. "segment-profile", "kmeans", "logreg".
    public var kind: String
    public var rounds: Int
    /// The (ε, δ) the job spec declared it would spend over all its rounds.
    public var epsilon: Double
    public var delta: Double

    public init(id: String, kind: String, rounds: Int, epsilon: Double, delta: Double) {
        self.id = id
        self.kind = kind
        self.rounds = rounds
        self.epsilon = epsilon
        self.delta = delta
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(rounds, forKey: .rounds)
        try c.encodeRounded(epsilon, forKey: .epsilon)
        try c.encodeRounded(delta, forKey: .delta)
    }
}
