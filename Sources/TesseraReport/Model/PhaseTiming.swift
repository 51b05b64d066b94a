import Foundation

/// Time spent in one phase (key generation, local update, encryption, aggregation,
/// threshold decryption, …), either for the whole run or for one round.
public struct PhaseTiming: Codable, Sendable, Equatable {
    public var phase: String
    public var seconds: Double
    /// nil when the figure covers the whole run.
    public var round: Int?

    public init(phase: String, seconds: Double, round: Int? = nil) {
        self.phase = phase
        self.seconds = seconds
        self.round = round
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase, forKey: .phase)
        try c.encodeRounded(seconds, forKey: .seconds, .seconds)
        try c.encodeIfPresent(round, forKey: .round)
    }
}

/// Bytes a participant sent and received over the whole run.
public struct ParticipantTraffic: Codable, Sendable, Equatable {
    public var participant: String
    public var bytesSent: Int
    public var bytesReceived: Int

    public init(participant: String, bytesSent: Int, bytesReceived: Int) {
        self.participant = participant
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}
